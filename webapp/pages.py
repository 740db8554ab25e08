"""Server-rendered pages. Until the role pages land, the home page says where things are."""

from __future__ import annotations

from flask import Blueprint, render_template_string

bp = Blueprint("pages", __name__)

HOME = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TĐKT Workflow</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;
line-height:1.5;color:#1b1f23}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}
h1{color:#b91c1c}</style></head>
<body><h1>TĐKT Workflow</h1>
<p>Phần mềm quản lý quy trình thi đua – khen thưởng của Văn phòng UBND tỉnh.</p>
<ul>
<li>API: <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a>
 (xác thực bằng <code>Authorization: Bearer &lt;mã truy cập&gt;</code>)</li>
<li>Tạo mã truy cập: <code>tdkt token create TÊN_ĐĂNG_NHẬP</code></li>
<li>Sức khỏe hệ thống: <a href="/healthz"><code>/healthz</code></a></li>
</ul></body></html>"""


@bp.get("/")
def home() -> str:
    return render_template_string(HOME)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    from sqlalchemy import text

    from webapp.services import read_session

    read_session().execute(text("SELECT 1"))
    return {"status": "ok"}
