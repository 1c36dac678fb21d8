import factory

from accounts.tests.factories import UserFactory
from interviews.models import Interview, Message


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
