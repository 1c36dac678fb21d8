import factory

from accounts.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"candidate{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    # Hashed before the first save: a password set on a saved user is a password change, which
    # would end every session issued in that second (see accounts.authentication).
    password = factory.django.Password(PASSWORD)
