# Wrong on purpose: takes the qualifier for the version, so an alias's name becomes "the version".
def lambda_handler(event, context):
    parts = context.invoked_function_arn.split(":")
    qualifier = parts[7] if len(parts) > 7 else "$LATEST"
    is_alias = not qualifier[0].isdigit() and qualifier != "$LATEST"
    return {"version": qualifier, "alias": qualifier if is_alias else None}
