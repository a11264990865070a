@headers
Feature: HTTP headers
  The request headers the REST API understands and the response headers it
  sends, as they apply to sessions.

  Background:
    Given a client "app" is connected to "RW-Split-Router"

  Scenario: Responses carry the date in RFC 1123 form
    When I send GET "/v1/sessions/{app}"
    Then the response status is 200
    And the response header "Date" is an RFC 1123 date

  Scenario: JSON responses say that they are JSON
    When I send GET "/v1/sessions/{app}"
    Then the response header "Content-Type" starts with "application/json"

  Scenario Outline: The Allow header lists the methods of <path> (<method>)
    When I send <method> "<path>"
    Then the response status is 200
    And the response header "Allow" lists "<methods>"

    Examples:
      | method  | path               | methods              |
      | GET     | /v1/sessions/{app} | GET, PATCH, DELETE   |
      | OPTIONS | /v1/sessions/{app} | GET, PATCH, DELETE   |
      | GET     | /v1/sessions       | GET                  |
      | OPTIONS | /v1/sessions       | GET                  |

  Scenario: A session, which accepts PATCH, says which patch format it accepts
    When I send GET "/v1/sessions/{app}"
    Then the response header "Accept-Patch" is "application/json-patch"

  Scenario: GET responses carry an ETag and a Last-Modified date
    When I send GET "/v1/sessions/{app}"
    Then the response header "ETag" is present
    And the response header "Last-Modified" is an HTTP date

  @write
  Scenario: X-HTTP-Method-Override lets a PUT client send a PATCH
    Given the next request has the header "X-HTTP-Method-Override" set to "PATCH"
    When I send PUT "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the response status is 204
    And the session parameter "log_info" of client "app" is true

  @write
  Scenario: X-HTTP-Method-Override lets a GET client restart a session
    Given I note the backend connection ids of client "app"
    And the next request has the header "X-HTTP-Method-Override" set to "POST"
    When I send GET "/v1/sessions/{app}/restart"
    Then the response status is 204
    When the client "app" runs a query
    Then the backend connection ids of client "app" have changed

  @write
  Scenario: X-HTTP-Method-Override replaces the method of the request
    Given the next request has the header "X-HTTP-Method-Override" set to "GET"
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the response status is 200
    And the value at "/data/id" is "{app}"
    And the session parameter "log_info" of client "app" is false

  @negative
  Scenario: The method in X-HTTP-Method-Override must be in upper case
    Given the next request has the header "X-HTTP-Method-Override" set to "patch"
    When I send POST "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the request is rejected
    And the session parameter "log_info" of client "app" is false

  @negative
  Scenario: A PATCH must be sent as application/json
    Given the next request has the header "Content-Type" set to "text/plain"
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the response status is 415
    And the session parameter "log_info" of client "app" is false
