"""``fazhi notify``: who must be told what (``reminders``) and the channels that tell them
(``banner`` on 我的学习, ``email`` over SMTP, ``listing`` for units that send their own)."""
