@sessions @update
Feature: Update a session
  PATCH /v1/sessions/:id changes the log levels of one session and the
  filters it uses. The body is a JSON document with the new values.

  Background:
    Given a client "app" is connected to "RW-Split-Router"

  @write
  Scenario Outline: A log level can be switched on for one session: <parameter>
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"<parameter>": true}}}}
      """
    Then the response status is 204
    And the response has no body
    And the session parameter "<parameter>" of client "app" is true
    And the session parameters of client "app" other than "<parameter>" are false

    Examples:
      | parameter   |
      | log_debug   |
      | log_info    |
      | log_notice  |
      | log_warning |
      | log_error   |

  @write
  Scenario: A log level can be switched off again
    Given I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": false}}}}
      """
    Then the response status is 204
    And the session parameter "log_info" of client "app" is false

  @write
  Scenario: Changing one session does not change another
    Given a client "other" is connected to "RW-Split-Router"
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_warning": true}}}}
      """
    Then the response status is 204
    And the session parameter "log_warning" of client "app" is true
    And the session parameter "log_warning" of client "other" is false

  @write
  Scenario: A parameter change stays after the client runs a query
    Given I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_notice": true}}}}
      """
    When the client "app" runs a query
    Then the session parameter "log_notice" of client "app" is true

  @write @filters
  Scenario: The filters of a session are replaced with the documented request body
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {
          "data": {
              "attributes": {
                  "relationships": {
                      "filters": {
                          "data": [
                              { "id": "my-cache-filter" },
                              { "id": "my-log-filter" }
                          ]
                      }
                  }
              }
          }
      }
      """
    Then the response status is 204
    And the session of client "app" uses the filters "my-cache-filter, my-log-filter"

  @write @filters
  Scenario Outline: Filters are installed in the order of the request body: <first>, <second>
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"relationships": {"filters": {"data": [{"id": "<first>", "type": "filters"}, {"id": "<second>", "type": "filters"}]}}}}
      """
    Then the response status is 204
    And the session of client "app" uses the filters "<first>, <second>"

    Examples:
      | first           | second          |
      | my-cache-filter | my-log-filter   |
      | my-log-filter   | my-cache-filter |

  @write @filters
  Scenario: An empty filter list removes every filter of the session
    Given I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"relationships": {"filters": {"data": [{"id": "my-hint-filter", "type": "filters"}]}}}}
      """
    And the session of client "app" uses the filters "my-hint-filter"
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"relationships": {"filters": {"data": []}}}}
      """
    Then the response status is 204
    And the session of client "app" uses no session filters

  @write @filters
  Scenario: The client's queries still work through the new filters
    Given I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"relationships": {"filters": {"data": [{"id": "my-log-filter", "type": "filters"}]}}}}
      """
    When the client "app" runs a query
    Then the session of client "app" uses the filters "my-log-filter"

  @write @filters
  Scenario: The filters relationship can be replaced through its own URL
    When I send PATCH "/v1/sessions/{app}/relationships/filters" with:
      """
      {"data": [{"id": "my-log-filter", "type": "filters"}, {"id": "my-cache-filter", "type": "filters"}]}
      """
    Then the response status is 204
    And the response has no body
    And the session of client "app" uses the filters "my-log-filter, my-cache-filter"

  @filters @negative
  Scenario: The filters relationship's own URL rejects an unknown filter
    When I send PATCH "/v1/sessions/{app}/relationships/filters" with:
      """
      {"data": [{"id": "no-such-filter", "type": "filters"}]}
      """
    Then the response status is 400
    And the session of client "app" uses no session filters

  @filters
  Scenario: An unknown filter is rejected and the session keeps its filters
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"relationships": {"filters": {"data": [{"id": "no-such-filter", "type": "filters"}]}}}}
      """
    Then the response status is 400
    And the error detail is "Not a valid filter: no-such-filter"
    And the session of client "app" uses no session filters

  @negative
  Scenario Outline: A body that is not JSON is rejected: <body>
    When I send PATCH "/v1/sessions/{app}" with:
      """
      <body>
      """
    Then the response status is 400
    And the error detail starts with "Invalid JSON in request: "
    And the session parameter "log_info" of client "app" is false

    Examples:
      | body                                                          |
      | {"data": {"attributes": {"parameters": {"log_info": true}}}   |
      | log_info=true                                                 |
      | null                                                          |

  @negative
  Scenario: A PATCH without a body is rejected
    When I send PATCH "/v1/sessions/{app}" without a body
    Then the response status is 400
    And the error detail is "Missing request body"

  @negative
  Scenario: A session that does not exist cannot be updated
    When I send PATCH "/v1/sessions/{unused-id}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the response status is 404
    And the response is an error document

  @negative
  Scenario: A session that has ended cannot be updated
    Given the client "app" disconnects
    And within 3 seconds the session of client "app" no longer exists
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the response status is 404

  @write @filters @slow
  Scenario: New filters take effect at once even while the client runs a query
    # Long enough that the query still runs when the PATCH arrives, even on
    # a busy machine.
    Given the client "app" starts the query "SELECT SLEEP(5)"
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"relationships": {"filters": {"data": [{"id": "my-log-filter", "type": "filters"}]}}}}
      """
    Then the response status is 204
    And the session of client "app" uses the filters "my-log-filter"
    And the query of client "app" finishes
    And the session of client "app" uses the filters "my-log-filter"
