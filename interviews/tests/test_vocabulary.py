"""Free-text topics (the original frontend's): the position they name and the language they ask for."""

import pytest

from interviews.vocabulary import position_from_label, position_from_topic, topic_language


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("백엔드 개발자", ("be", "")),
        ("백엔드개발자", ("be", "")),
        ("백엔드를 준비하는 신입", ("be", "준비하는 신입")),
        ("BE 개발자", ("be", "")),
        ("React 프론트엔드", ("fe", "React")),
        ("프런트엔드 면접", ("fe", "")),
        ("인성 면접", ("general", "")),
        ("인성면접", ("general", "")),
        ("AI 엔지니어", ("ai", "")),
        ("AI/인공지능", ("ai", "")),
        ("인공지능", ("ai", "")),
        ("머신러닝 모델 서빙", ("ai", "모델 서빙")),
        ("iOS 앱", ("mobile", "앱")),
        ("안드로이드 개발자", ("mobile", "")),
        ("backend developer", ("be", "")),
        ("Front-end engineer interview", ("fe", "")),
        ("I want to be a frontend developer", ("fe", "")),
        ("machine learning engineer", ("ai", "")),
        ("behavioural", ("general", "")),
    ],
)
def test_a_position_word_anywhere_names_the_position_and_leaves_the_topic(topic, expected):
    assert position_from_topic(topic) == expected


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("React", ("fe", "React")),
        ("React Native", ("mobile", "React Native")),  # the longer name wins
        ("Django REST", ("be", "Django REST")),
        ("데이터베이스", ("be", "데이터베이스")),  # not 데이터 (ai)
        ("웹 백엔드", ("be", "웹")),  # a position word beats a hint
        ("Spring 서버", ("be", "Spring 서버")),
    ],
)
def test_a_technology_hints_at_the_position_and_stays_in_the_topic(topic, expected):
    assert position_from_topic(topic) == expected


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("system design", ("general", "system design")),
        ("인사이트", ("general", "인사이트")),
        ("면접", ("general", "")),
        ("", ("general", "")),
        ("be a good teammate", ("general", "be a good teammate")),  # lower-case "be" is a verb, not the code
    ],
)
def test_a_topic_naming_no_position_is_a_general_interview(topic, expected):
    assert position_from_topic(topic) == expected


@pytest.mark.parametrize("label", ["AI", "ml", "be", "Backend", "hr", "data"])
def test_a_bare_label_reads_as_position_from_label_does(label):
    assert position_from_topic(label) == position_from_label(label)


@pytest.mark.parametrize(
    ("topic", "default", "language"),
    [
        ("백엔드 개발자", "en", "ko"),  # Hangul: Korean, whatever the default
        ("React 프론트엔드", "en", "ko"),
        ("backend developer", "ko", "en"),  # reads as English
        ("system design interview", "ko", "en"),
        ("React", "ko", "ko"),  # a bare technology name says nothing
        ("BE", "ko", "ko"),
        ("AI", "en", "en"),
        ("", "ko", "ko"),
    ],
)
def test_topic_language(topic, default, language):
    assert topic_language(topic, default=default) == language
