@sessions @lifecycle
Feature: The life of a session, end to end
  What an operator sees of one client connection from the moment it connects
  until it is killed, using every operation of the session resource.

  @write @slow
  Scenario: Connect, inspect, change, restart, kill with a ttl
    Given a client "app" is connected to "RW-Split-Router"

    # The client appears, under the connection ID it received.
    When I send GET "/v1/sessions"
    Then the response status is 200
    And of my clients, the response lists only "app"
    When I send GET "/v1/sessions/{app}"
    Then the response status is 200
    And the value at "/data/attributes/client/connection_attributes/program_name" is "{app.program}"
    And the value at "/data/attributes/state" is "Session started"
    And I note the backend connection ids of client "app"

    # An operator turns on info logging for this client only.
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the response status is 204
    And the session parameter "log_info" of client "app" is true

    # A restart opens new backend connections; the client does not notice.
    When I send POST "/v1/sessions/{app}/restart"
    Then the response status is 204
    When the client "app" runs a query
    Then the backend connection ids of client "app" have changed
    And the session parameter "log_info" of client "app" is true

    # The operator gives the client three seconds to finish, then it is killed.
    When I send DELETE "/v1/sessions/{app}?ttl=3"
    Then the response status is 204
    And the client "app" can run a query
    And within 6 seconds the connection of client "app" is closed
    And the session of client "app" no longer exists
    And within 3 seconds of my clients, GET "/v1/sessions" lists none
