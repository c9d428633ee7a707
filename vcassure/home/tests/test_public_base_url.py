from vcassure.home.management.commands.run_platform import public_base_url


def test_links_in_demo_messages_open_the_address_the_platform_is_served_on():
    assert public_base_url("127.0.0.1:8011") == "http://127.0.0.1:8011"
    assert public_base_url("8000") == "http://127.0.0.1:8000"
    assert public_base_url("0.0.0.0:8080") == "http://127.0.0.1:8080"
    assert public_base_url("10.1.2.3:8000") == "http://10.1.2.3:8000"
