@sessions @restart
Feature: Restart sessions
  POST /v1/sessions/:id/restart makes a session re-read the configuration of
  its service: its backend connections are closed and opened again, and its
  router and filter sessions are created again. POST /v1/sessions/restart does
  the same for every session.

  Background:
    Given a client "app" is connected to "RW-Split-Router"
    And I note the backend connection ids of client "app"

  @write
  Scenario: Restarting a session opens new backend connections
    When I send POST "/v1/sessions/{app}/restart"
    Then the response status is 204
    And the response has no body
    And the backend connection ids of client "app" have changed

  @write
  Scenario: After a restart the client keeps its session and can go on working
    When I send POST "/v1/sessions/{app}/restart"
    And the client "app" runs a query
    Then the backend connection ids of client "app" have changed
    And the client "app" can run a query
    And the session of client "app" exists
    And the value at "/data/id" is "{app}"
    And the value at "/data/attributes/client/connection_attributes/program_name" is "{app.program}"

  @write
  Scenario: A restart keeps the session's own settings
    Given I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_warning": true}}}}
      """
    When I send POST "/v1/sessions/{app}/restart"
    And the client "app" runs a query
    Then the session parameter "log_warning" of client "app" is true

  @write @exclusive
  Scenario: Restarting all sessions opens new backend connections for each of them
    Given a client "other" is connected to "RW-Split-Router"
    And I note the backend connection ids of client "other"
    When I send POST "/v1/sessions/restart"
    Then the response status is 204
    And the response has no body
    And the backend connection ids of client "app" have changed
    And the backend connection ids of client "other" have changed

  @write @exclusive
  Scenario: After restarting all sessions every client can go on working
    When I send POST "/v1/sessions/restart"
    And the client "app" runs a query
    Then the backend connection ids of client "app" have changed
    And the client "app" can run a query

  @negative
  Scenario: A session that does not exist cannot be restarted
    When I send POST "/v1/sessions/{unused-id}/restart"
    Then the response status is 404

  @negative
  Scenario: A malformed session id cannot be restarted
    When I send POST "/v1/sessions/abc/restart"
    Then the response status is 404
    And the error detail is "abc is not a session"
