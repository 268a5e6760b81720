"""One child's case and results: rounds' results, goal attainment, progress, reports, exports."""
