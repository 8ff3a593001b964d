# The function: a shell function that gets the event (JSON text) as $1 and prints its response.
# What it writes to stderr goes to the log; a non-zero return status is a function error.

handler () {
  EVENT_DATA="$1"
  echo "Received event: ${EVENT_DATA}" 1>&2

  case "$EVENT_DATA" in
    *'"fail"'*)
      echo "The event asked to fail" 1>&2
      return 1
      ;;
  esac

  # The event is JSON already, so it can go into the response as it is.
  printf '{"message": "Hello from a shell script!", "event": %s}\n' "$EVENT_DATA"
}
