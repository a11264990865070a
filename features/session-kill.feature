@sessions @kill
Feature: Kill a session
  DELETE /v1/sessions/:id closes a session by force: MaxScale closes the
  client's connection. With ttl=N the session gets N seconds to finish its
  work first.

  Background:
    Given a client "app" is connected to "RW-Split-Router"

  @write
  Scenario: Killing a session closes the client's connection at once
    When I send DELETE "/v1/sessions/{app}"
    Then the response status is 204
    And the response has no body
    And the session of client "app" no longer exists
    And within 3 seconds the connection of client "app" is closed

  @write
  Scenario: A killed session leaves the collection
    When I send DELETE "/v1/sessions/{app}"
    Then within 3 seconds of my clients, GET "/v1/sessions" lists none

  @write
  Scenario: Killing one session leaves the others alone
    Given a client "other" is connected to "RW-Split-Router"
    When I send DELETE "/v1/sessions/{app}"
    Then the response status is 204
    And the session of client "other" exists
    And the client "other" can run a query

  # Three seconds: busy, the checks before the kill take more than one. Awaited on the connection:
  # polling the session's URL as the kill freed it crashed 23.08.6 (x-observed session-lookup-crash).
  @write @slow
  Scenario: With a ttl the session is killed after the given time
    When I send DELETE "/v1/sessions/{app}?ttl=3"
    Then the response status is 204
    And the session of client "app" exists
    And the client "app" can run a query
    And within 6 seconds the connection of client "app" is closed
    And within 2 seconds the session of client "app" no longer exists

  @write @negative
  Scenario Outline: A ttl that is not a positive number kills at once: ttl=<ttl>
    When I send DELETE "/v1/sessions/{app}?ttl=<ttl>"
    Then the response status is 204
    And the session of client "app" no longer exists
    And within 3 seconds the connection of client "app" is closed

    Examples:
      | ttl |
      | 0   |
      | -1  |
      | abc |
      |     |

  @negative
  Scenario: A session that was killed cannot be killed again
    Given I send DELETE "/v1/sessions/{app}"
    When I send DELETE "/v1/sessions/{app}"
    Then the response status is 404

  @negative
  Scenario Outline: A session that does not exist cannot be killed: <path>
    When I send DELETE "<path>"
    Then the response status is 404

    Examples:
      | path                            |
      | /v1/sessions/{unused-id}        |
      | /v1/sessions/{unused-id}?ttl=5  |
