def handle(event, context):
    return {"ok": True, "handled_by": "app.handle"}
