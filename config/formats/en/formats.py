# Django's English formats, with the 24-hour clock the salon's Japanese staff read.
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
TIME_FORMAT = "H:i"
