"""Process models: list, deploy, export."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from webapp.api.auth import current_actor, require_role
from webapp.api.schemas import DeployArgs, InstanceSchema, ProcessSchema, StartArgs, VersionSchema
from webapp.services import read_session, services, write_session

blp = Blueprint("processes", __name__, url_prefix="/processes",
                description="Mô hình quy trình (BPMN) và các phiên bản")


@blp.get("")
@blp.response(200, ProcessSchema(many=True))
def list_processes() -> Any:
    """Every process model with its versions and how many instances run on each."""
    current_actor()
    return services().engine.list_processes(read_session())


@blp.post("")
@blp.arguments(DeployArgs, location="files")
@blp.response(201, VersionSchema)
@blp.alt_response(200, schema=VersionSchema, description="Byte-identical XML: existing version")
def deploy(args: dict[str, Any]) -> Any:
    """Deploy a BPMN file (admin): 201 a new version, 200 the identical existing one."""
    actor = current_actor()
    require_role(actor, "admin")
    upload = args["file"]
    result = services().engine.deploy(write_session(), upload.read(), actor, upload.filename)
    return result, (201 if result["created"] else 200)


@blp.get("/<key>/versions/<int:version>/xml")
@blp.response(200, description="The BPMN XML of that version")
def export_version(key: str, version: int) -> Response:
    current_actor()
    xml = services().engine.process_xml(read_session(), key, version)
    return Response(xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{key}_v{version}.bpmn"'})


@blp.post("/<key>/instances")
@blp.arguments(StartArgs)
@blp.response(201, InstanceSchema)
def start_instance(args: dict[str, Any], key: str) -> Any:
    """Start an instance of the latest version; the answer shows its first tasks."""
    actor = current_actor()
    return services().engine.start_instance(
        write_session(), key, actor, args["data"], args["business_key"], args["unit"])
