@api
Feature: REST API basics that sessions share with every resource
  Health checks, the optional /v1 prefix, and JSON API documents.

  Scenario Outline: The API answers health checks on <path>
    When I send GET "<path>"
    Then the response status is 200

    Examples:
      | path |
      | /    |
      | /v1/ |

  Scenario: The /v1 prefix is optional
    Given a client "app" is connected to "RW-Split-Router"
    When I send GET "/sessions/{app}"
    Then the response status is 200
    And the value at "/data/id" is "{app}"

  Scenario: A session is a JSON API resource document
    Given a client "app" is connected to "RW-Split-Router"
    When I send GET "/v1/sessions/{app}"
    Then the response is a JSON API document
    And the value at "/data/id" is "{app}"

  Scenario: The sessions collection is a JSON API collection document
    Given a client "app" is connected to "RW-Split-Router"
    When I send GET "/v1/sessions"
    Then the response is a JSON API document
    And the value at "/data" is an array
