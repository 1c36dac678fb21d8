"""The matcher under the threads of a gthread worker: stems must not depend on who else is stemming."""

from __future__ import annotations

import threading

from interviews import matching

WORDS = [
    "indexes", "indexing", "normalization", "denormalized", "transactions", "consistency", "replication",
    "partitioning", "sharding", "caching", "invalidation", "eventually", "idempotency", "retries", "batching",
    "regularization", "overfitting", "generalization", "embeddings", "tokenization", "hydration", "rendering",
]  # fmt: skip


def test_stemming_from_many_threads_at_once_gives_the_same_stems_as_one_thread():
    expected = {word: matching._stem(word) for word in WORDS}
    wrong: list[tuple[str, str]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def stem_many() -> None:
        start.wait()
        try:
            for _ in range(300):
                for word in WORDS:
                    stem = matching._stem(word)
                    if stem != expected[word]:
                        wrong.append((word, stem))
        except Exception as error:  # an IndexError out of a stemmer another thread is using
            errors.append(error)

    threads = [threading.Thread(target=stem_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert wrong == []


def test_an_answer_written_in_another_thread_matches_the_same_key_points():
    points = [{"text": "Indexes speed up reads", "keywords": ["index"], "synonyms": []}]
    results: list[list[int]] = []

    def judge() -> None:
        results.append(matching.covered_points(matching.Text.of("We added indexing on the column"), points))

    thread = threading.Thread(target=judge)
    thread.start()
    thread.join()
    assert results == [[0]]
