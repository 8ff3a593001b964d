def lambda_handler(event, context):
    # Where does this answer come from? Always the same, whatever the caller invoked.
    return {"version": "$LATEST", "alias": None}
