"""Canadian French times as a clinic writes them ("14 h 30"). Django's fr_CA formats write the
"h" unescaped, where it means the hour again ("14 02 30"); only those are corrected here, the
rest comes from Django's fr_CA."""

TIME_FORMAT = "G\xa0\\h\xa0i"  # 14 h 30
DATETIME_FORMAT = "j F Y, G\xa0\\h\xa0i"  # 1 décembre 2026, 14 h 30
SHORT_DATETIME_FORMAT = "Y-m-d G\xa0\\h\xa0i"  # 2026-12-01 14 h 30
