# Wrong on purpose: the last part of the ARN is the function's name when there is no qualifier.
def lambda_handler(event, context):
    return {
        "version": context.function_version,
        "alias": context.invoked_function_arn.split(":")[-1],
    }
