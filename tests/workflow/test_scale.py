from __future__ import annotations

import pytest

from service.workflow.scale import BestEnd, Scale


def test_low_is_best() -> None:
    scale = Scale(1, 5, BestEnd.LOW)
    assert scale.best == 1 and scale.worst == 5
    assert scale.is_worse(3, than=2)
    assert not scale.is_worse(2, than=3)
    assert scale.severity(1) == 0
    assert scale.points_from_best() == [1, 2, 3, 4, 5]


def test_high_is_best() -> None:
    scale = Scale(0, 10, BestEnd.HIGH)
    assert scale.best == 10 and scale.worst == 0
    assert scale.is_worse(3, than=7)
    assert scale.severity(10) == 0
    assert scale.points_from_best()[0] == 10


def test_a_scale_needs_two_points() -> None:
    with pytest.raises(ValueError, match="two points"):
        Scale(3, 3, BestEnd.LOW)
