#!/usr/bin/env bash
# A KL 3 round from start to result, with curl (and jq for the JSON).
# Runs as it is against the demo (`make run`); point it elsewhere with the environment:
# KONSENSUS_URL, KONSENSUS_CASEWORKER(_PASSWORD), KONSENSUS_ADMIN(_PASSWORD),
# KONSENSUS_CLIENT_ID and KONSENSUS_CLIENT_SECRET.
set -euo pipefail

BASE=${KONSENSUS_URL:-http://127.0.0.1:8000}
CASEWORKER=${KONSENSUS_CASEWORKER:-sagsbehandler@demo.konsensus.dk}
CASEWORKER_PASSWORD=${KONSENSUS_CASEWORKER_PASSWORD:-demo-sagsbehandler}
ADMIN=${KONSENSUS_ADMIN:-admin@demo.konsensus.dk}
ADMIN_PASSWORD=${KONSENSUS_ADMIN_PASSWORD:-demo-administrator}
CLIENT_ID=${KONSENSUS_CLIENT_ID:-demo-dubu}
CLIENT_SECRET=${KONSENSUS_CLIENT_SECRET:-demo-dubu-client-secret}

# api METHOD PATH [JSON] [curl options...]: the JSON answer; a problem stops the script.
api() {
  local method=$1 path=$2 body=${3:-}
  shift $(( $# < 3 ? $# : 3 ))
  local answer
  answer=$(curl -sS -X "$method" "$BASE$path" -H "Authorization: Bearer $TOKEN" \
    ${body:+-H "Content-Type: application/json" --data "$body"} "$@" -w '\n%{http_code}')
  local status=${answer##*$'\n'}
  answer=${answer%$'\n'*}
  if (( status >= 400 )); then
    echo "$method $path: $(jq -r '"\(.code): \(.detail // .title)"' <<<"$answer")" >&2
    exit 1
  fi
  printf '%s' "$answer"
}

# The password grant, for a member of staff.
staff_token() {
  curl -sS --fail-with-body -X POST "$BASE/api/v1/auth/token" \
    --data-urlencode grant_type=password --data-urlencode "username=$1" \
    --data-urlencode "password=$2" | jq -r .access_token
}

# 0. KL 3 is the municipality's choice; the demo starts on KL 1, so its administrator adopts
#    KL 3 first. Where KL 3 is adopted already, nothing changes.
TOKEN=$(staff_token "$ADMIN" "$ADMIN_PASSWORD")
if [[ $(api GET /api/v1/municipality | jq -r .policy.procedure) != kl3 ]]; then
  api PATCH /api/v1/municipality/policy \
    '{"procedure": "kl3", "collection_close": "all_submitted"}' >/dev/null
fi

# 1. The caseworker's token, and the child's case (sag) under the case system's reference.
TOKEN=$(staff_token "$CASEWORKER" "$CASEWORKER_PASSWORD")
REF="EXAMPLE-$(date +%s)-$RANDOM"
CASE_ID=$(api POST /api/v1/cases \
  "{\"external_ref\": \"$REF\", \"display_name\": \"Emma\", \"birth_year\": 2016}" | jq .id)

# 2. The instrument in use, and its factors.
INSTRUMENT_ID=$(api GET '/api/v1/instruments?limit=200' |
  jq '[.items[] | select(.key == "kl-boern-familie") | .id] | max')
FACTORS=$(api GET "/api/v1/instruments/$INSTRUMENT_ID" | jq -c '[.factors[].key]')

# 3. The round (runde); the Idempotency-Key makes a retry after a lost answer safe.
DUE=$(date -u -d '+14 days' +%Y-%m-%dT%H:%M:%SZ)
MEETING=$(date -u -d '+16 days' +%Y-%m-%dT%H:%M:%SZ)
ROUND=$(api POST "/api/v1/cases/$CASE_ID/rounds" \
  "{\"instrument_id\": $INSTRUMENT_ID, \"due_at\": \"$DUE\", \"meeting_at\": \"$MEETING\"}" \
  -H "Idempotency-Key: round-$REF")
ROUND_ID=$(jq .id <<<"$ROUND")
echo "round $ROUND_ID: $(jq -r '"\(.procedure) \(.variant), \(.state)"' <<<"$ROUND")"

# One score for every factor (kl-boern-familie: 1 best, 5 worst).
scores() { jq -c --argjson score "$1" '{scores: [.[] | {factor_key: ., score: $score}]}' <<<"$FACTORS"; }

# 4. The informants: the caseworker is one already; add the school, the mother, the child.
CASEWORKER_INFORMANT=$(api GET "/api/v1/rounds/$ROUND_ID/informants" | jq '.items[0].id')
add() { api POST "/api/v1/rounds/$ROUND_ID/informants" "{\"role\": \"$1\", \"name\": \"$2\"}" | jq .id; }
SCHOOL=$(add school "Ane Lærer")
MOTHER=$(add mother "Mette")
CHILD=$(add child "Emma")

# 5. Personal links for the school and the mother; each answers through theirs, with no
#    credentials: the link is the key.
for pair in "$SCHOOL 3" "$MOTHER 2"; do
  read -r informant score <<<"$pair"
  LINK=$(api POST "/api/v1/rounds/$ROUND_ID/informants/$informant/link" | jq -r .token)
  curl -sS --fail-with-body -X POST "$BASE/api/v1/links/$LINK/submission" \
    -H "Content-Type: application/json" --data "$(scores "$score")" >/dev/null
done

# 6. The child's and the caseworker's own scores, entered by the caseworker.
for pair in "$CHILD 2" "$CASEWORKER_INFORMANT 3"; do
  read -r informant score <<<"$pair"
  api POST "/api/v1/rounds/$ROUND_ID/informants/$informant/submission" \
    "$(scores "$score" | jq -c '. + {submit: true}')" >/dev/null
done

# 7. Everyone has submitted: the independent step closes by itself (collection_close);
#    by hand otherwise.
ROUND=$(api GET "/api/v1/rounds/$ROUND_ID")
if [[ $(jq -r .state <<<"$ROUND") == collecting ]]; then
  ROUND=$(api POST "/api/v1/rounds/$ROUND_ID/transitions" '{"event": "close_collection"}')
fi
echo "round $ROUND_ID: $(jq -r '"\(.state), next: \(.allowed_events | join(" "))"' <<<"$ROUND")"

# 8. The official score and goal per factor (fælles vurdering) and who came, then complete.
OFFICIAL=$(jq -c '{scores: [.[] | {factor_key: ., score: 3, goal: 2,
  rationale: "Agreed at the meeting."}]}' <<<"$FACTORS")
api PUT "/api/v1/rounds/$ROUND_ID/official-scores" "$OFFICIAL" >/dev/null
# Who came: the meeting does not end while anyone expected is not recorded either way.
CAME=$(api GET "/api/v1/rounds/$ROUND_ID/attendance/meeting" |
  jq -c --argjson school "$SCHOOL" '[.items[].informant_id | select(. != $school)]')
api PUT "/api/v1/rounds/$ROUND_ID/attendance" \
  "{\"gathering\": \"meeting\", \"present\": $CAME, \"absent\": [$SCHOOL]}" >/dev/null
STATE=$(api POST "/api/v1/rounds/$ROUND_ID/transitions" '{"event": "finish_consensus"}' | jq -r .state)
echo "round $ROUND_ID: $STATE"

# 9. The result, read by the case system with its own token (client credentials).
TOKEN=$(curl -sS --fail-with-body -X POST "$BASE/api/v1/auth/token" \
  -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials | jq -r .access_token)
api GET "/api/v1/rounds/$ROUND_ID/result" |
  jq -r '"result: \(.factors | length) factors; \(.factors[0].factor_key): \(.factors[0].official.score) -> goal \(.factors[0].official.goal)"'
