from django.core.management.base import BaseCommand

from push.keys import vapid_pair_new


class Command(BaseCommand):
    help = "Print a new VAPID key pair for push notifications, as environment variables."

    def handle(self, *args: object, **options: object) -> None:
        public, private = vapid_pair_new()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        self.stderr.write(
            "Keep the private key secret. Changing the pair later makes every phone subscribe again."
        )
