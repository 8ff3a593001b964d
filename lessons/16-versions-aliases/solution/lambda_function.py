def lambda_handler(event, context):
    # arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] — the qualifier is the caller's.
    parts = context.invoked_function_arn.split(":")
    qualifier = parts[7] if len(parts) > 7 else None
    # A version number or $LATEST as the qualifier is not an alias.
    is_alias = qualifier is not None and qualifier != "$LATEST" and not qualifier.isdigit()
    return {"version": context.function_version, "alias": qualifier if is_alias else None}
