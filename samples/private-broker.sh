#!/usr/bin/env bash
# Starts or stops a private RabbitMQ on 127.0.0.1 for the walkthrough: its own data directory, ports and
# epmd, nothing shared with a system broker. Without systemd, as DESIGN.md §6 describes.
#   private-broker.sh start DIR AMQP_PORT   prints the broker URL
#   private-broker.sh stop DIR
set -euo pipefail
command=$1 dir=$2

node_environment() {
  local amqp_port=$(cat "$dir/amqp_port")
  export HOME="$dir/home" RABBITMQ_NODENAME="fdbrwalk@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$amqp_port RABBITMQ_DIST_PORT=$((amqp_port + 20000)) ERL_EPMD_PORT=$((amqp_port + 1))
  export ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" RABBITMQ_CTL_DIST_PORT_MIN=0 RABBITMQ_CTL_DIST_PORT_MAX=0
  export RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/rabbit.pid"
  export RABBITMQ_CONF_ENV_FILE=/dev/null RABBITMQ_CONFIG_FILE="$dir/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
}

case $command in
  start)
    if [[ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
      echo "RabbitMQ is not installed: apt-get install -y --no-install-recommends rabbitmq-server" >&2
      exit 1
    fi
    mkdir -p "$dir/home" "$dir/log"
    echo "$3" >"$dir/amqp_port"
    # Erlang refuses a cookie that others can read; head -c from a file cannot die of SIGPIPE.
    head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/home/.erlang.cookie"
    chmod 400 "$dir/home/.erlang.cookie"
    node_environment
    /usr/bin/setsid -f /usr/lib/rabbitmq/bin/rabbitmq-server >"$dir/log/stdout.log" 2>&1 </dev/null
    for _ in $(seq 60); do [[ -s $RABBITMQ_PID_FILE ]] && break; sleep 0.5; done
    /usr/lib/rabbitmq/bin/rabbitmqctl wait "$RABBITMQ_PID_FILE" >/dev/null
    echo "amqp://guest:guest@127.0.0.1:$RABBITMQ_NODE_PORT/"
    ;;
  stop)
    [[ -f $dir/amqp_port ]] || exit 0
    node_environment
    /usr/lib/rabbitmq/bin/rabbitmqctl stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || true
    epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
    ;;
  *) echo "usage: private-broker.sh start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
