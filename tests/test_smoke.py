def test_home_lists_course(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Les bases" in response.get_data(as_text=True)
