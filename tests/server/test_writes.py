"""Malformed input is refused naming the field, never a 500: odd digits in paging
parameters, huge numbers, deep nesting, text that is not Unicode, oversized bodies
and errors that would echo a whole body back."""

from __future__ import annotations

import pytest

from tests.server.conftest import Tenant, new_id


def _names(response) -> list[str]:
    return [f["field"] for f in response.json()["detail"]["fields"]]


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/v1/departments", "pageNumber"),
        ("/v1/departments", "pageRowCount"),
        ("/v1/changes", "limit"),
        ("/v1/changes", "cursor"),
    ],
)
def test_paging_numbers_in_other_digits_or_too_long_are_refused_naming_them(
    tenant: Tenant, path: str, param: str
) -> None:
    plain = tenant.client.get(path, params={param: "abc"})
    assert plain.status_code in (400, 422)
    for odd in ("²", "١٢", "1" * 5000):
        answer = tenant.client.get(path, params={param: odd})
        assert answer.status_code == plain.status_code, (odd[:5], answer.text[:200])
        assert _names(answer) == [param]


def _put(tenant: Tenant, raw: bytes):
    return tenant.client.put(
        f"/v1/departments/{new_id()}",
        content=raw,
        headers={"If-None-Match": "*", "Content-Type": "application/json"},
    )


def test_a_number_of_5000_digits_is_a_400(tenant: Tenant) -> None:
    answer = _put(tenant, b'{"name": "Kitchen", "color": ' + b"9" * 5000 + b"}")
    assert answer.status_code == 400
    assert _names(answer) == ["body"]


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_json_nested_deep_is_a_400(tenant: Tenant, depth: int) -> None:
    raw = b'{"name": "Kitchen", "color": ' + b"[" * depth + b"]" * depth + b"}"
    answer = _put(tenant, raw)
    assert answer.status_code == 400, answer.text[:300]
    assert _names(answer)[0].split("[")[0] in ("body", "color")
    batch = tenant.client.post(
        "/v1/batch", content=b'{"operations": ' + b"[" * depth + b"]" * depth + b"}"
    )
    assert batch.status_code == 400


def test_an_unpaired_surrogate_in_a_value_or_a_field_name_is_a_400_naming_it(
    tenant: Tenant,
) -> None:
    in_value = _put(tenant, b'{"name": "Kitch\\ud800en"}')
    assert in_value.status_code == 400
    assert _names(in_value) == ["name"]
    in_name = _put(tenant, b'{"name": "Kitchen", "col\\ud800or": "#ffffff"}')
    assert in_name.status_code == 400
    assert _names(in_name) == ["col\\ud800or"]
    batch = tenant.client.post(
        "/v1/batch",
        content=(
            b'{"operations": [{"method": "PUT", "path": "/v1/departments/'
            + new_id().encode()
            + b'", "headers": {"If-None-Match": "*"}, "body": {"name": "\\udfff"}}]}'
        ),
    )
    assert batch.status_code == 400
    assert _names(batch) == ["operations[0].body.name"]


def test_a_body_over_a_megabyte_is_413(tenant: Tenant) -> None:
    big = b'{"name": "' + b"x" * 1_100_000 + b'"}'
    assert _put(tenant, big).status_code == 413

    def chunks():  # no Content-Length: the stream itself is cut
        yield b'{"name": "'
        for _ in range(1_100):
            yield b"x" * 1_000
        yield b'"}'

    streamed = tenant.client.put(
        f"/v1/departments/{new_id()}",
        content=chunks(),
        headers={"If-None-Match": "*", "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413


def test_an_error_naming_100k_unknown_fields_stays_small(tenant: Tenant) -> None:
    fields = ",".join(f'"{n:x}":0' for n in range(100_000))
    raw = ('{"name": "Kitchen",' + fields + "}").encode()
    assert len(raw) < 1_000_000
    answer = _put(tenant, raw)
    assert answer.status_code in (400, 422)
    assert len(answer.content) < 20_000
    assert _names(answer)[0] == "0"
    assert "and 99950 more" in answer.json()["message"]
