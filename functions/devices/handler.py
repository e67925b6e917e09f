"""/function/devices: administrators manage meters; clients see the ones they own.

Administrators also make, list and revoke each meter's credentials (``/<id>/credentials``).
"""

from faas_ems.inventory import credentials, devices
from faas_ems.runtime import auth, paging
from faas_ems.runtime.errors import Invalid
from faas_ems.runtime.validation import UUID_PATTERN, parse_uuid, validate
from faas_ems.runtime.web import Routes, json_body, query_param

routes = Routes()


@routes.get("/")
def list_devices(event):
    """A page of the caller's devices, by name unless ``sort`` says otherwise.

    Today's kWh and online state are monitoring's: ``/function/consumption/summary``
    pages and sorts by them.
    """
    caller = auth.require_user(event)
    page = paging.page_params(event.query, devices.SORTS, "name")
    owner = query_param(event, "owner_id") or None
    if owner is not None and not UUID_PATTERN.match(owner):
        raise Invalid("owner_id must be a UUID", fields={"owner_id": "must be a UUID"})
    rows, total = devices.visible_page(caller, page, owner and owner.lower())
    return paging.answer([devices.representation(row) for row in rows], total)


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


@routes.post("/<device_id>/credentials")
def create_credential(event, device_id):
    auth.require_admin(event)
    return credentials.create(parse_uuid(device_id, "device")), 201


@routes.get("/<device_id>/credentials")
def list_credentials(event, device_id):
    auth.require_admin(event)
    found = credentials.of_device(parse_uuid(device_id, "device"))
    return [credentials.representation(row) for row in found]


@routes.delete("/<device_id>/credentials/<credential_id>")
def revoke_credential(event, device_id, credential_id):
    auth.require_admin(event)
    credentials.revoke(parse_uuid(device_id, "device"), parse_uuid(credential_id, "credential"))
    return None, 204


handle = routes
