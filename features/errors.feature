@errors
Feature: Errors
  A request that MaxScale cannot or will not carry out gets a 4xx status and,
  except for HEAD requests, may get a JSON body that describes the error.

  Background:
    Given a client "app" is connected to "RW-Split-Router"

  @negative
  Scenario: A session that does not exist is not found
    When I send GET "/v1/sessions/{unused-id}"
    Then the response status is 404
    And the response is an error document

  @negative
  Scenario Outline: A malformed session id is not found: <id>
    When I send GET "/v1/sessions/<id>"
    Then the response status is 404
    And the response is an error document
    And the error detail is "<id> is not a session"

    Examples:
      | id     |
      | abc    |
      | 0      |
      | -1     |
      | 1abc   |

  @negative
  Scenario: A session that has ended is not found
    Given the client "app" disconnects
    Then within 3 seconds the session of client "app" no longer exists
    When I send GET "/v1/sessions/{app}"
    Then the response status is 404

  @negative
  Scenario Outline: A method the resource does not support is not allowed: <method> <path>
    When I send <method> "<path>"
    Then the response status is 405
    And the session of client "app" exists

    Examples:
      | method | path                 |
      | PUT    | /v1/sessions/{app}   |
      | POST   | /v1/sessions/{app}   |
      | POST   | /v1/sessions         |
      | DELETE | /v1/sessions         |
      | PATCH  | /v1/sessions         |
      | PUT    | /v1/sessions/restart |

  @negative
  Scenario: An error answer to HEAD has no body
    When I send HEAD "/v1/sessions/{unused-id}"
    Then the response status is 404
    And the response has no body

  Scenario: HEAD answers like GET without the body
    When I send HEAD "/v1/sessions/{app}"
    Then the response status is 200
    And the response has no body
