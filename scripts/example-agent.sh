#!/bin/sh
# A tiny coding agent for tests and demos, run by an agent step. It reads its prompt from
# $AUTOMATION_PROMPT_FILE, and writes its session as JSON lines to $AUTOMATION_SESSION_FILE:
#   - each prompt line "$ <command>" is run in the checkout as a tool call, its output the result;
#   - the other lines are appended to $AGENT_FILE (default AGENT_NOTES.md) as an edit.
set -eu

: "${AUTOMATION_PROMPT_FILE:?the agent needs AUTOMATION_PROMPT_FILE}"
: "${AUTOMATION_SESSION_FILE:?the agent needs AUTOMATION_SESSION_FILE}"
file="${AGENT_FILE:-AGENT_NOTES.md}"
session="$AUTOMATION_SESSION_FILE"

# Standard input as a JSON string, quotes included.
json() {
  awk 'BEGIN { ORS = ""; print "\"" }
       { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, "\\r");
         if (NR > 1) print "\\n"; print }
       END { print "\"" }'
}

say() { # role, text
  printf '{"type":"message","role":"%s","content":%s}\n' "$1" "$(printf '%s' "$2" | json)" >> "$session"
}

: > "$session"
say user "$(cat "$AUTOMATION_PROMPT_FILE")"
say assistant "I will work through the request."

grep '^\$ ' "$AUTOMATION_PROMPT_FILE" | sed 's/^\$ //' | while IFS= read -r command; do
  printf '{"type":"tool_call","name":"sh","input":{"command":%s}}\n' "$(printf '%s' "$command" | json)" >> "$session"
  status=0
  result=$(sh -c "$command" 2>&1) || status=$?
  printf '{"type":"tool_result","name":"sh","output":%s,"is_error":%s}\n' \
    "$(printf '%s' "$result" | json)" "$([ "$status" -eq 0 ] && echo false || echo true)" >> "$session"
  echo "ran: $command (exit $status)"
done

notes=$(grep -v '^\$ ' "$AUTOMATION_PROMPT_FILE" || true)
if [ -n "$notes" ]; then
  printf '{"type":"tool_call","name":"append_file","input":{"path":%s,"text":%s}}\n' \
    "$(printf '%s' "$file" | json)" "$(printf '%s' "$notes" | json)" >> "$session"
  printf '%s\n' "$notes" >> "$file"
  printf '{"type":"tool_result","name":"append_file","output":%s}\n' \
    "$(printf 'appended %s line(s) to %s' "$(printf '%s\n' "$notes" | wc -l | tr -d ' ')" "$file" | json)" >> "$session"
  echo "edited $file"
fi
say assistant "Done."
