# Wrong on purpose: takes the qualifier for the version, so an alias's name becomes "the version".
def lambda_handler(event, context):
    parts = context.invoked_function_arn.split(":")
    qualifier = parts[7] if len(parts) > 7 else "$LATEST"
    return {"version": qualifier, "alias": None if qualifier[0].isdigit() or qualifier == "$LATEST" else qualifier}
