"""/function/gateways: administrators make the credentials of meter gateways.

A gateway credential covers several devices and posts their readings over HTTP
(``POST /function/readings``). Its secret is shown once, in the answer to ``POST``.
"""

from faas_ems.inventory import gateways
from faas_ems.runtime import auth
from faas_ems.runtime.validation import parse_uuid, validate
from faas_ems.runtime.web import Routes, json_body

routes = Routes()


@routes.get("/")
def list_gateways(event):
    auth.require_admin(event)
    return gateways.all_gateways()


@routes.post("/")
def create_gateway(event):
    auth.require_admin(event)
    return gateways.create(validate(json_body(event), gateways.FIELDS)), 201


@routes.get("/<gateway_id>")
def show_gateway(event, gateway_id):
    auth.require_admin(event)
    return gateways.get(parse_uuid(gateway_id, "gateway"))


@routes.put("/<gateway_id>")
def update_gateway(event, gateway_id):
    auth.require_admin(event)
    changes = validate(json_body(event), gateways.FIELDS, partial=True)
    return gateways.update(parse_uuid(gateway_id, "gateway"), changes)


@routes.delete("/<gateway_id>")
def revoke_gateway(event, gateway_id):
    auth.require_admin(event)
    gateways.revoke(parse_uuid(gateway_id, "gateway"))
    return None, 204


handle = routes
