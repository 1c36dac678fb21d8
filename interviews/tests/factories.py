import factory

from accounts.tests.factories import UserFactory
from interviews.models import Evaluation, Interview, Message, Question


class InterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interview

    owner = factory.SubFactory(UserFactory)
    position = "be"
    topic = "databases"
    language = "en"
    is_public = False


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    interview = factory.SubFactory(InterviewFactory)
    role = Message.Role.ASSISTANT
    content = factory.Sequence(lambda n: f"Message {n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    position = "be"
    topic = "databases"
    language = "en"
    question = factory.Sequence(lambda n: f"Question {n}?")
    key_points = factory.LazyFunction(list)


def _score_if_answer(evaluation) -> int | None:
    # The database refuses scores on anything but an answer (evaluation_scores_only_for_answers).
    return 3 if evaluation.kind == Evaluation.Kind.ANSWER else None


class EvaluationFactory(factory.django.DjangoModelFactory):
    """An evaluation of a candidate message (made with it unless given); an answer scores 3/3/3."""

    class Meta:
        model = Evaluation

    message = factory.SubFactory(MessageFactory, role=Message.Role.USER)
    kind = Evaluation.Kind.ANSWER
    correctness = factory.LazyAttribute(_score_if_answer)
    depth = factory.LazyAttribute(_score_if_answer)
    communication = factory.LazyAttribute(_score_if_answer)
    covered = factory.LazyFunction(list)
    missed = factory.LazyFunction(list)
    stage = factory.LazyAttribute(lambda evaluation: evaluation.message.stage)
    slot = factory.LazyAttribute(lambda evaluation: evaluation.message.slot)
    language = "en"
    judge = "practice"
