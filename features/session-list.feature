@sessions @list
Feature: Get all sessions
  GET /v1/sessions returns every session of every service as a JSON API
  collection. Other clients may be connected too: the scenarios only look at
  the sessions of the clients they opened themselves.

  Scenario: Every connected client appears in the collection
    Given clients "a" and "b" are connected to "RW-Split-Router"
    When I send GET "/v1/sessions"
    Then the response status is 200
    And the value at "/data" is an array
    And of my clients, the response lists only "a" and "b"
    And the link at "/links/self" is "/v1/sessions/"

  Scenario: Each element of the collection is a complete session
    Given a client "a" is connected to "RW-Split-Router"
    When I send GET "/v1/sessions"
    Then the listed session of client "a" has the value "sessions" at "/type"
    And the listed session of client "a" has the value "{sql-user}" at "/attributes/user"
    And the listed session of client "a" has the value "{a.program}" at "/attributes/client/connection_attributes/program_name"
    And the listed session of client "a" has the value "RW-Split-Router" at "/relationships/services/data/0/id"
    And the listed session of client "a" has the link "/v1/sessions/{a}/" at "/links/self"

  Scenario: A client that disconnects leaves the collection
    Given clients "a" and "b" are connected to "RW-Split-Router"
    When the client "a" disconnects
    Then within 3 seconds of my clients, GET "/v1/sessions" lists only "b"

  Scenario: The collection is the same with a trailing slash
    Given a client "a" is connected to "RW-Split-Router"
    When I send GET "/v1/sessions/"
    Then the response status is 200
    And of my clients, the response lists only "a"

  @read-connection-router
  Scenario: Sessions of all services are listed
    Given a client "writer" is connected to "RW-Split-Router"
    And a client "reader" is connected to "Read-Connection-Router"
    When I send GET "/v1/sessions"
    Then of my clients, the response lists only "writer" and "reader"
    And the listed session of client "reader" has the value "Read-Connection-Router" at "/relationships/services/data/0/id"
