"""The township person's phone in browser tests: 360 × 740 inside DingTalk's in-app browser
(the fixtures `dingtalk` and `linked_task` that use it are in conftest.py)."""

PHONE = {"width": 360, "height": 740}
DINGTALK_UA = (
    "Mozilla/5.0 (Linux; Android 12; V2145A Build/SP1A.210812.003; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/97.0.4692.98 Mobile Safari/537.36 "
    "AliApp(DingTalk/7.0.40) com.alibaba.android.rimet/31020186 Channel/700159 language/zh-CN "
    "abi/64 UT4Aplus/0.2.25 colorScheme/light"
)
