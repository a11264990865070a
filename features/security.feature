@security @readonly
Feature: A read-only account cannot change sessions
  MaxScale's "basic" accounts may read the REST API but not write to it. An
  operator who hands such an account to a dashboard must be able to rely on
  it: no session may be changed, restarted or killed with it, whatever the
  request looks like. These scenarios need a read-only account on the target.

  Background:
    Given a client "app" is connected to "RW-Split-Router"
    And I use the read-only account

  Scenario: A read-only account can read the sessions
    When I send GET "/v1/sessions/{app}"
    Then the response status is 200
    When I send GET "/v1/sessions"
    Then the response status is 200
    And of my clients, the response lists only "app"

  Scenario: A read-only account cannot change a session
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the write is refused
    And the session parameter "log_info" of client "app" is false

  Scenario Outline: A read-only account cannot restart or kill a session: <method> <path>
    When I send <method> "<path>"
    Then the write is refused
    And the session of client "app" exists
    And the client "app" can run a query

    Examples:
      | method | path                       |
      | POST   | /v1/sessions/{app}/restart |
      | DELETE | /v1/sessions/{app}         |
      | DELETE | /v1/sessions/{app}?ttl=1   |

    @exclusive
    Examples: restarting every session
      | method | path                 |
      | POST   | /v1/sessions/restart |

  Scenario: A read-only account cannot kill a session by overriding the method of a GET
    Given the next request has the header "X-HTTP-Method-Override" set to "DELETE"
    When I send GET "/v1/sessions/{app}"
    Then the write is refused
    And the session of client "app" exists
    And the client "app" can run a query

  Scenario: A read-only account cannot change a session by overriding the method of a GET
    Given the next request has the header "X-HTTP-Method-Override" set to "PATCH"
    When I send GET "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the write is refused
    And the session parameter "log_info" of client "app" is false

  Scenario: A read-only account cannot restart a session by overriding the method of a GET
    Given I note the backend connection ids of client "app"
    And the next request has the header "X-HTTP-Method-Override" set to "POST"
    When I send GET "/v1/sessions/{app}/restart"
    Then the write is refused
    When the client "app" runs a query
    Then the backend connection ids of client "app" are unchanged

  @jwt
  Scenario: A read-only account's token cannot change a session
    Given I send GET "/v1/auth"
    And I use the token from the response as a bearer token
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the response status is 403
    And the session parameter "log_info" of client "app" is false
