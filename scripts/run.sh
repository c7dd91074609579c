#!/usr/bin/env bash
# Installs what is needed, builds, and runs psm with demo data:
#   - a psm-server on wss://127.0.0.1:8443 (PSM_DEMO_PORT to change) with the
#     demo authority's reference data and accounts, left running in the background;
#   - three enrolled devices — a foster carer's, the child's social worker's and
#     the supervising social worker's — walking a case from the carer's request
#     to finalised minutes, the carer's copy of the plan and an escalation.
# Everything lives in var/demo/. `scripts/run.sh stop` stops the server;
# `scripts/run.sh reset` stops it and deletes var/demo.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
demo=$root/var/demo
port=${PSM_DEMO_PORT:-8443}
server_pid_file=$demo/server.pid

stop_server() {
  if [ -f "$server_pid_file" ] && kill -0 "$(cat "$server_pid_file")" 2>/dev/null; then
    kill -TERM "$(cat "$server_pid_file")"
    for _ in $(seq 50); do kill -0 "$(cat "$server_pid_file")" 2>/dev/null || break; sleep 0.1; done
    echo "demo server stopped"
  fi
  rm -f "$server_pid_file"
}

case "${1:-}" in
  stop) stop_server; exit 0 ;;
  reset) stop_server; rm -rf "$demo"; echo "demo data removed"; exit 0 ;;
esac

bash scripts/setup.sh
echo "== building"
bash scripts/build.sh
server=$root/build/server/psm-server
psm=$root/build/client/psm

# Demo secrets. In real use people type these at a prompt (no echo).
export PSM_PASSWORD="demo-password-2026"
export PSM_PASSPHRASE="demo passphrase"

mkdir -p "$demo"
if [ ! -f "$demo/server/store.db" ]; then
  echo "== creating the demo server"
  "$server" init --data "$demo/server" --hostname localhost
  "$server" import --data "$demo/server" scripts/demo/reference.json
  while read -r user person role name; do
    "$server" user add --data "$demo/server" --username "$user" --person "$person" --role "$role" --name "$name"
  done <<'USERS'
jo carer-okafor foster-carer Jo Okafor
sam carer-reid foster-carer Sam Reid
priya csw-shah child-social-worker Priya Shah
tom csw-hughes child-social-worker Tom Hughes
alex ssw-morgan supervising-social-worker Alex Morgan
lee ftm-walsh fostering-team-manager Lee Walsh
kim clatm-evans cla-team-manager Kim Evans
ruth iro-ahmed iro Ruth Ahmed
USERS
fi

stop_server
"$server" serve --data "$demo/server" --listen "127.0.0.1:$port" >"$demo/server.log" 2>&1 &
echo $! >"$server_pid_file"
for _ in $(seq 100); do grep -q "listening on" "$demo/server.log" 2>/dev/null && break; sleep 0.1; done
grep "listening on" "$demo/server.log" || { cat "$demo/server.log"; exit 1; }
url="wss://127.0.0.1:$port"

for who in jo priya alex; do
  if [ ! -f "$demo/$who/replica.key" ]; then
    "$psm" --home "$demo/$who" enrol --server "$url" --ca "$demo/server/tls/ca.pem" --username "$who" --device-name "$who-laptop"
  fi
done

say() { printf '\n== %s\n' "$*"; }
say "Jo (foster carer), offline in the car, asks for a Placement Support Meeting"
"$psm" --home "$demo/jo" request-meeting --placement pl-amelia-okafor --type support \
  --reason "Amelia is refusing school and bedtimes have become very hard"
"$psm" --home "$demo/jo" status
say "Jo is back online and syncs"
"$psm" --home "$demo/jo" sync
say "Priya (Amelia's social worker) syncs and sees the request with its deadline"
"$psm" --home "$demo/priya" sync
"$psm" --home "$demo/priya" meetings
meeting=$("$psm" --home "$demo/priya" meetings --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | tail -n 1)
say "Priya records Amelia's views on a home visit and agrees an action for Jo"
"$psm" --home "$demo/priya" record-view --meeting "$meeting" --subject child \
  --text "I like living here but I miss my brother" --professionals-only
"$psm" --home "$demo/priya" add-action --meeting "$meeting" --owner carer-okafor \
  --due "$(date -d '+14 days' +%F)" --text "Arrange a weekly call between Amelia and her brother"
"$psm" --home "$demo/priya" sync
say "Jo syncs and sees the action (but not Amelia's professionals-only views)"
"$psm" --home "$demo/jo" sync
"$psm" --home "$demo/jo" actions

say "Alex (supervising social worker) arranges the meeting; invitations go out to everyone who must attend"
"$psm" --home "$demo/alex" sync
held_at=$(date -d '-2 hours' '+%F %H:%M')
"$psm" --home "$demo/alex" schedule-meeting "$meeting" --at "$held_at" \
  --location "Family centre, Oak Road" --minute-taker "Alex Morgan"
say "Alex tries to close the minutes too early: psm names what must come first"
"$psm" --home "$demo/alex" finalise-minutes "$meeting" --review-date "$(date -d '+7 weeks' +%F)" || true
say "The meeting took place: Alex records it held, then attendance, the IRO's views (sought, none given), an agenda note and the support plan"
"$psm" --home "$demo/alex" record-held "$meeting" --at "$held_at"
for invitation in $("$psm" --home "$demo/alex" meeting "$meeting" --json | jq -r '.invitations[] | select(.mandatory) | .id'); do
  "$psm" --home "$demo/alex" record-attendance "$invitation" --status attended >/dev/null
done
"$psm" --home "$demo/alex" record-view --meeting "$meeting" --subject iro --sought-on "$(date +%F)"
"$psm" --home "$demo/alex" add-agenda-note "$meeting" --item respite --text "Jo and Sam would welcome a monthly weekend"
"$psm" --home "$demo/alex" add-support-item "$meeting" --kind respite --text "One weekend a month with the Reid household" \
  --provider "Fostering service" --frequency monthly
"$psm" --home "$demo/alex" add-action --meeting "$meeting" --owner ssw-morgan --due "$(date -d '-10 days' +%F)" \
  --text "Send the carers the support group dates"
"$psm" --home "$demo/alex" finalise-minutes "$meeting" --review-date "$(date -d '+7 weeks' +%F)"
"$psm" --home "$demo/alex" sync
say "Jo sees the Placement Support Plan copied to her household's record"
"$psm" --home "$demo/jo" sync
"$psm" --home "$demo/jo" plan
say "Afterwards Priya tells Amelia about the plan and Jo starts her action: Jo's copy of the plan follows"
"$psm" --home "$demo/priya" sync
"$psm" --home "$demo/priya" child-told-of-plan "$meeting" --on "$(date +%F)"
"$psm" --home "$demo/priya" sync
call=$("$psm" --home "$demo/jo" actions --json | jq -r '.[] | select(.text | startswith("Arrange a weekly call")) | .id')
"$psm" --home "$demo/jo" update-action "$call" --status in-progress --note "First call booked for Sunday"
"$psm" --home "$demo/jo" sync
"$psm" --home "$demo/jo" plan
say "An action is overdue: the server escalates it (it also does this itself every 10 minutes)"
"$server" escalate --data "$demo/server"
"$psm" --home "$demo/alex" sync
"$psm" --home "$demo/alex" notifications
say "Six weeks on, the server reminds Alex that the plan's review is due (the same sweep, run as on that day)"
"$server" escalate --data "$demo/server" --today "$(date -d '+6 weeks' +%F)"
"$psm" --home "$demo/alex" sync
"$psm" --home "$demo/alex" notifications | grep -i "review" || true
say "The service managers' reports: was each meeting held in time, and which actions are open (by team)"
"$server" report timeliness --data "$demo/server"
"$server" report actions --by team --data "$demo/server"

cat <<EOF2

The demo server is running at $url (log: var/demo/server.log).
Try, for example:
  export PSM_PASSPHRASE="$PSM_PASSPHRASE"
  build/client/psm --home var/demo/jo meetings
  build/client/psm --home var/demo/priya actions --json
  build/server/psm-server device list --data var/demo/server
  build/server/psm-server report tracking --data var/demo/server --json
Or open the web app as Jo (or var/demo/priya as Priya) and follow the address it prints:
  build/client/psm --home var/demo/jo app
Stop it with: scripts/run.sh stop   (scripts/run.sh reset deletes the demo data)
EOF2
