"""/function/devices: administrators manage meters; clients see the ones they own."""

from faas_ems.inventory import devices
from faas_ems.runtime import auth
from faas_ems.runtime.validation import parse_uuid, validate
from faas_ems.runtime.web import Routes, json_body

routes = Routes()


@routes.get("/")
def list_devices(event):
    caller = auth.require_user(event)
    return [devices.representation(row) for row in devices.visible_to(caller)]


@routes.post("/")
def create_device(event):
    auth.require_admin(event)
    fields = validate(json_body(event), devices.FIELDS)
    return devices.representation(devices.create(fields)), 201


@routes.get("/<device_id>")
def show_device(event, device_id):
    caller = auth.require_user(event)
    return devices.representation(devices.get(parse_uuid(device_id, "device"), caller))


@routes.put("/<device_id>")
def update_device(event, device_id):
    auth.require_admin(event)
    device_id = parse_uuid(device_id, "device")
    changes = validate(json_body(event), devices.FIELDS, partial=True)
    return devices.representation(devices.update(device_id, changes))


@routes.delete("/<device_id>")
def delete_device(event, device_id):
    auth.require_admin(event)
    devices.delete(parse_uuid(device_id, "device"))
    return None, 204


handle = routes
