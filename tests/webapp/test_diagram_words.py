"""Diagram differences said in words: other elements by name and kind, one line per
changed key, no JSON."""

from __future__ import annotations

from flask import Flask

from webapp.diagram_words import Line, Words

OLD = {"a": {"type": "userTask", "name": "Thẩm định"}, "g": {"type": "exclusiveGateway",
                                                            "name": None}}
NEW = {"b": {"type": "serviceTask", "name": "Gửi thông báo"}}


def test_flows_handlers_and_properties_in_words(app: Flask) -> None:
    with app.test_request_context():
        words = Words(OLD, NEW)
        assert words.element("a") == "«Thẩm định» (bước người xử lý)"
        assert words.element("g") == "g (cổng chọn một nhánh)"
        assert words.element("gone") == "gone"
        assert words.lines("flows", {"source": "g", "target": "a"},
                           {"source": "g", "target": "b"}) == [
            Line("nối đến", "«Thẩm định» (bước người xử lý)",
                 "«Gửi thông báo» (bước tự động)")]
        assert words.lines("handler", {"name": "echo", "parameters": {"x": "1"}},
                           {"name": "echo", "result": "r", "parameters": {"x": "2"}}) == [
            Line("lưu kết quả vào biến", None, "r"),
            Line("tham số «x» của bộ xử lý", "1", "2")]
        assert words.lines("properties", {"dueWorkingDays": "10", "formKey": "f"},
                           {"formKey": "f"}) == [
            Line("thời hạn xử lý (ngày làm việc)", "10", None)]
        assert words.lines("type", "task", "userTask") == [
            Line("loại phần tử", "bước", "bước người xử lý")]
        assert words.lines("script", None, {"pre": "x = 1"}) == [
            Line("mã lệnh chạy trước bước", None, "x = 1")]
