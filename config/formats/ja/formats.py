# Django's Japanese formats, with one clock: 09:00 beside 15:25, never 9:00.
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = "Y/m/d H:i"
TIME_FORMAT = "H:i"
