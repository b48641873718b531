"""Personnel decisions as events (kg/extract/appointments.py, issue 11 item 3).

Sentences are ours, written in the genre; names and numbers are invented.
"""

from __future__ import annotations

from extract_helpers import names, run
from rdflib import Literal, URIRef
from timing_support import best_cpu_seconds

from kg.extract import appointments
from kg.map import to_graph
from kg.namespaces import PG, PGAPPT, PGSTATE

A_ASSIGNED = ("Ngày 9/5/2024, Bộ Chính trị điều động, chỉ định đồng chí Hoàng Văn Thịnh, Phó Trưởng Ban Dân vận "
              "Trung ương, tham gia Ban Chấp hành, Ban Thường vụ và giữ chức Bí thư Tỉnh ủy Lạng Sơn nhiệm kỳ "
              "2020-2025.")
A_ELECTED = "Tại kỳ họp, HĐND tỉnh Lạng Sơn đã bầu ông Đinh Quốc Bảo giữ chức Chủ tịch UBND tỉnh Lạng Sơn."
A_APPROVED = ("Thủ tướng Chính phủ ban hành Quyết định số 612/QĐ-TTg phê chuẩn kết quả bầu Phó Chủ tịch UBND "
              "tỉnh Lạng Sơn nhiệm kỳ 2021 - 2026 đối với ông Vi Văn Khoa.")
A_RELIEVED = ("Ban Bí thư quyết định cho đồng chí Lương Thị Nga, Phó Bí thư Tỉnh ủy Lạng Sơn, thôi giữ chức "
              "Phó Bí thư Tỉnh ủy để nghỉ hưu theo chế độ.")
A_DISCIPLINED = ("Ủy ban Kiểm tra Trung ương quyết định thi hành kỷ luật bằng hình thức cảnh cáo đối với ông "
                 "Nông Đức Hải, Giám đốc Sở Xây dựng tỉnh Lạng Sơn.")


def events(x) -> set[tuple]:
    n = names(x)
    n.update({d.key: d.number for d in x.documents})
    return {(n[a.person], a.kind, a.role, n.get(a.organization), n.get(a.decided_by), n.get(a.decision),
             a.date.isoformat() if a.date else None) for a in x.appointments}


def test_assigned_by_the_politburo_with_the_date_of_the_sentence():
    x = run(A_ASSIGNED, published="2024-05-10")
    assert ("Hoàng Văn Thịnh", "assigned", "Bí thư", "Tỉnh ủy Lạng Sơn", "Bộ Chính trị", None, "2024-05-09") in events(x)
    # the title the person had is not the post given
    assert not any(a.role == "Phó Trưởng Ban" for a in x.appointments)


def test_elected_by_the_council_and_the_post_is_held():
    x = run(A_ELECTED)
    assert events(x) == {("Đinh Quốc Bảo", "elected", "Chủ tịch", "Ủy ban nhân dân tỉnh Lạng Sơn",
                          "Hội đồng nhân dân tỉnh Lạng Sơn", None, None)}
    assert any(h.role == "Chủ tịch" and not h.former for h in x.holdings)


def test_approved_names_the_post_before_its_holder_and_the_decision():
    x = run(A_APPROVED)
    assert events(x) == {("Vi Văn Khoa", "approved", "Phó Chủ tịch", "Ủy ban nhân dân tỉnh Lạng Sơn", "Chính phủ",
                          "612/QĐ-TTg", None)}


def test_relieved_to_retire_decided_by_the_secretariat():
    got = events(run(A_RELIEVED))
    assert ("Lương Thị Nga", "relieved", "Phó Bí thư", "Tỉnh ủy Lạng Sơn", "Ban Bí thư", None, None) in got
    assert ("Lương Thị Nga", "retired", "Phó Bí thư", "Tỉnh ủy Lạng Sơn", "Ban Bí thư", None, None) in got


def test_disciplined_names_the_post_after_the_person_and_one_event_only():
    got = events(run(A_DISCIPLINED))
    assert got == {("Nông Đức Hải", "disciplined", "Giám đốc", "Sở Xây dựng tỉnh Lạng Sơn",
                    "Ủy ban Kiểm tra Trung ương", None, None)}  # "cảnh cáo" after "hình thức" is no second event


def test_passive_cue_looks_before_and_a_list_gives_one_event_each():
    x = run("Đồng chí Trịnh Minh Quân được bổ nhiệm giữ chức Giám đốc Sở Nội vụ tỉnh Cao Bằng.")
    assert {(e[0], e[1], e[2], e[3]) for e in events(x)} == {
        ("Trịnh Minh Quân", "appointed", "Giám đốc", "Sở Nội vụ tỉnh Cao Bằng")}
    x = run("HĐND tỉnh Cao Bằng bầu bổ sung chức danh Ủy viên UBND tỉnh đối với các ông: Mạc Văn Tài, "
            "Lục Văn Phúc.")
    assert {(e[0], e[1], e[2]) for e in events(x)} == {("Mạc Văn Tài", "elected", "Ủy viên"),
                                                       ("Lục Văn Phúc", "elected", "Ủy viên")}


def test_proposed_planned_and_background_are_no_events():
    for text in (
        "Ban Thường vụ Tỉnh ủy đề nghị bổ nhiệm ông Hà Văn Lực giữ chức Giám đốc Sở Tài chính tỉnh Cao Bằng.",
        "Trước khi được bổ nhiệm, ông Hà Văn Lực giữ chức Phó Giám đốc Sở Tài chính tỉnh Cao Bằng.",
        "Dự kiến, HĐND tỉnh sẽ bầu ông Hà Văn Lực giữ chức Chủ tịch UBND tỉnh Cao Bằng.",
        "Ông Hà Văn Lực chưa được bổ nhiệm giữ chức Giám đốc Sở Tài chính tỉnh Cao Bằng.",
        "Tỉnh ủy giới thiệu ông Hà Văn Lực để bầu giữ chức Chủ tịch UBND tỉnh Cao Bằng.",
    ):
        assert run(text).appointments == [], text


def test_a_decision_answering_a_proposal_is_an_event():
    x = run("Sau khi xem xét đề nghị của Ban Tổ chức Trung ương, Bộ Chính trị quyết định phân công đồng chí "
            "Lò Văn Pha giữ chức Bí thư Tỉnh ủy Sơn La.")
    assert {(e[0], e[1], e[2], e[3], e[4]) for e in events(x)} == {
        ("Lò Văn Pha", "assigned", "Bí thư", "Tỉnh ủy Sơn La", "Bộ Chính trị")}


def test_look_alike_phrases_and_vague_posts_are_no_events():
    for text in (
        "Ông Hà Văn Lực, Giám đốc Sở Giao thông vận tải tỉnh Cao Bằng, dự cuộc bầu cử đại biểu HĐND tỉnh.",
        "Tỉnh ủy giao nhiệm vụ cho ông Hà Văn Lực, Giám đốc Sở Tài chính tỉnh Cao Bằng, chủ trì đoàn công tác.",
        "Đồng chí Hà Văn Lực được bầu giữ chức Bí thư.",  # a post naming no body is no fact
        "Công tác bổ nhiệm cán bộ được Ban Thường vụ Tỉnh ủy Cao Bằng thực hiện đúng quy trình.",
        "Ông Cầm Văn Đông, Giám đốc Sở Tài chính tỉnh Sơn La, cho biết tỉnh sẽ bổ nhiệm thêm cán bộ.",
        "Ông Cầm Văn Đông từng giữ chức Giám đốc Sở Tài chính tỉnh Sơn La trước khi nghỉ hưu.",
    ):
        assert run(text).appointments == [], text


def test_evidence_quotes_the_article_text():
    x = run(A_ASSIGNED + "\n\n" + A_RELIEVED)
    for a in x.appointments:
        assert x.article.text[a.evidence.start:a.evidence.end] == a.evidence.text


def test_mapped_as_an_event_with_kind_post_body_and_the_attestation_stated():
    x = run(A_RELIEVED + "\n\n" + A_ELECTED + "\n\n" + A_APPROVED + "\n\n" + A_DISCIPLINED)
    g = to_graph(x)
    kinds = set(g.objects(None, PG.appointmentKind))
    assert {PGAPPT.relieved, PGAPPT.retired, PGAPPT.elected, PGAPPT.approved, PGAPPT.disciplined} <= kinds
    for node in g.subjects(PG.appointmentKind, PGAPPT.relieved):
        assert g.value(node, PG.decidedBy) == URIRef("https://w3id.org/pgkg/id/org/ban-bis-thuw")
        assert str(g.value(node, PG.post)).endswith("/post/tirnh-ury-lajng-sown/pho-bi-thu")
    stated = {str(g.value(att, PG.attests)).rsplit("/", 1)[-1]: g.value(att, PG.statedAs)
              for att in g.subjects(PG.attests, None)}
    assert PGSTATE.relieved in stated.values() and PGSTATE.elected in stated.values()
    # a warning leaves the post held: the director is still stated as current
    director = [a for a in g.subjects(PG.attests, None) if "Nông Đức Hải" in str(g.value(a, URIRef(
        "http://www.w3.org/2000/01/rdf-schema#label")))]
    assert director and all(g.value(a, PG.statedAs) == PGSTATE.current for a in director)
    assert (PGAPPT.elected, URIRef("http://www.w3.org/2004/02/skos/core#notation"), Literal("elected")) in g


def test_export_validates_and_the_cq_answers(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    article = tmp_path / "nhan-su.txt"
    article.write_text("---\ntitle: Nhân sự tỉnh Lạng Sơn\npublished: 2024-05-10\n---\n" + A_ASSIGNED + "\n\n"
                       + A_APPROVED + "\n\n" + A_RELIEVED + "\n", encoding="utf-8")
    store = str(tmp_path / "store")
    done = CliRunner().invoke(main, ["export", "-q", str(article), "-o", str(tmp_path / "out.trig"), "--load",
                                     "--store", store])
    assert done.exit_code == 0, done.output
    asked = CliRunner().invoke(main, ["query", "--cq", "appointments", "--store", store, "--format", "csv"])
    assert asked.exit_code == 0, asked.output
    lines = asked.stdout.splitlines()
    assert lines[0] == "person,post,organization,kind,date,decidedBy,decision"
    assert "Hoàng Văn Thịnh,Bí thư,Tỉnh ủy Lạng Sơn,assigned,2024-05-09,Bộ Chính trị," in lines
    assert "Vi Văn Khoa,Phó Chủ tịch,Ủy ban nhân dân tỉnh Lạng Sơn,approved,,Chính phủ,612/QĐ-TTg" in lines
    assert "Lương Thị Nga,Phó Bí thư,Tỉnh ủy Lạng Sơn,relieved,,Ban Bí thư," in lines


def _timed(text: str) -> float:
    from kg.extract import bodies, documents, people
    from kg.extract.context import Context
    from kg.text import parse_article

    ctx = Context.of(parse_article("Bài báo thử về thời gian chạy\n" + text + "\n"))
    bodies.find(ctx)
    people.find(ctx)
    documents.find(ctx)
    return best_cpu_seconds(lambda: appointments.find(ctx))


def test_linear_time_when_the_input_doubles():
    # many cues, people and posts in one long paragraph (no sentence break): every window stays bounded
    unit = ("HĐND tỉnh bầu ông Lê Văn Dũng giữ chức Chủ tịch UBND tỉnh Lạng Sơn, Ban Bí thư cho bà Vi Thị Lan "
            "thôi giữ chức Phó Bí thư Tỉnh ủy, kỷ luật cảnh cáo ông Đàm Văn Tú, bổ nhiệm bổ nhiệm giao giao ")
    small, big = _timed(unit * 40), _timed(unit * 80)
    assert big <= 3.0 * small + 0.015, (small, big)


def test_an_export_with_decisions_is_consistent_and_the_class_is_an_event():
    from rdflib import RDFS
    from test_ontology_reasoner import AXIOMS, inconsistencies, ontology

    onto = ontology()
    assert (PG.Appointment, RDFS.subClassOf, PG.Event) in onto
    assert (PG.post, RDFS.domain, None) not in onto  # a tenure's and an appointment's post alike
    graph = ontology()
    graph.parse(AXIOMS)
    for triple in to_graph(run(A_ASSIGNED + "\n\n" + A_RELIEVED + "\n\n" + A_APPROVED)):
        graph.add(triple)
    assert inconsistencies(graph) == []
