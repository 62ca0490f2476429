# Sourced by .ci/run: a throwaway PostgreSQL from Debian's packages, for the PostgreSQL test pass.
# `start_postgres` installs PostgreSQL when missing, creates a cluster in a temp folder (trust
# auth, local connections only, no fsync: its data is thrown away), starts it on a free port,
# stops it and removes the folder when the calling shell exits, and exports
# LATCHKEY_TEST_POSTGRES, the admin URL the tests create their databases with.
# Usable by hand too: `source .ci/postgres.sh && start_postgres && npm test`.

start_postgres() {
  local sudo=""
  if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
  if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq postgresql > /dev/null
  fi
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

  # initdb and postgres refuse to run as root: as root, run them as Debian's `postgres` user.
  local as=()
  if [ "$(id -u)" = "0" ]; then as=(runuser -u postgres --); fi

  PG_TMP=$(mktemp -d /tmp/latchkey-pg.XXXXXX)
  chmod 755 "$PG_TMP"
  if [ "$(id -u)" = "0" ]; then chown postgres: "$PG_TMP"; fi
  local port
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")

  "${as[@]}" "$bin/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync > "$PG_TMP/initdb.log"
  trap stop_postgres EXIT
  "${as[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 start \
    -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" > /dev/null
  PG_BIN=$bin
  export LATCHKEY_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $port"
}

stop_postgres() {
  if [ -n "${PG_TMP:-}" ] && [ -d "$PG_TMP/data" ]; then
    local as=()
    if [ "$(id -u)" = "0" ]; then as=(runuser -u postgres --); fi
    "${as[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m fast -w stop > /dev/null 2>&1 || true
    rm -rf "$PG_TMP"
  fi
}
