@auth
Feature: Authentication
  The REST API uses HTTP Basic authentication with MaxScale's administrative
  users, or JSON Web Tokens issued by /v1/auth.

  Background:
    Given a client "app" is connected to "RW-Split-Router"

  Scenario: The admin user can read the sessions
    When I send GET "/v1/sessions/{app}"
    Then the response status is 200

  Scenario Outline: A request without valid credentials is refused: <case>
    Given <credentials>
    When I send <request>
    Then the response status is 401
    And the response header "WWW-Authenticate" starts with "Basic"
    And the error detail is "Access denied"

    Examples:
      | case                               | credentials                                         | request                        |
      | no credentials, all sessions       | I send no credentials                               | GET "/v1/sessions"             |
      | no credentials, one session        | I send no credentials                               | GET "/v1/sessions/{app}"       |
      | no credentials, an unknown session | I send no credentials                               | GET "/v1/sessions/{unused-id}" |
      | a wrong password                   | I use the admin user with the password "x"          | GET "/v1/sessions"             |
      | an unknown user                    | I use the user "nobody" with the password "mariadb" | GET "/v1/sessions"             |

  @write
  Scenario Outline: A write without valid credentials changes nothing: <method> <path>
    Given I send no credentials
    When I send <method> "<path>"
    Then the response status is 401
    And the session of client "app" exists
    And the client "app" can run a query

    Examples:
      | method | path                       |
      | POST   | /v1/sessions/{app}/restart |
      | DELETE | /v1/sessions/{app}         |

    @exclusive
    Examples: restarting every session
      | method | path                 |
      | POST   | /v1/sessions/restart |

  @write
  Scenario: A PATCH without valid credentials changes nothing
    Given I send no credentials
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the response status is 401
    And the session parameter "log_info" of client "app" is false

  Scenario: A 401 tells a browser client which authentication to use
    Given I send no credentials
    And the next request has the header "X-Requested-With" set to "XMLHttpRequest"
    When I send GET "/v1/sessions"
    Then the response status is 401
    And the response header "WWW-Authenticate" starts with "Basic"

  @jwt
  Scenario: /v1/auth issues a token that authenticates later requests
    When I send GET "/v1/auth"
    Then the response status is 200
    And the value at "/meta/token" is a string
    Given I use the token from the response as a bearer token
    When I send GET "/v1/sessions/{app}"
    Then the response status is 200
    And the value at "/data/id" is "{app}"

  @jwt @write
  Scenario: An admin token can change a session
    Given I send GET "/v1/auth"
    And I use the token from the response as a bearer token
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the response status is 204
    And the session parameter "log_info" of client "app" is true

  @jwt
  Scenario: With persist=yes the token is stored in the token_sig cookie
    When I send GET "/v1/auth?persist=yes"
    Then the response status is 204
    And the response sets the cookie "token_sig" with "SameSite=Strict" and "HttpOnly"
    Given I use the cookie "token_sig" from the response instead of a password
    When I send GET "/v1/sessions/{app}"
    Then the response status is 200

  @jwt
  Scenario: max-age sets the lifetime of the token
    When I send GET "/v1/auth?max-age=60"
    Then the response status is 200
    And the token in the response is valid for 60 seconds

  @jwt
  Scenario: An invalid token is refused
    Given I use the bearer token "not-a-token"
    When I send GET "/v1/sessions"
    Then the response status is 401
    And the response header "WWW-Authenticate" starts with "Basic"
    And the error detail is "Access denied"
