@conditional
Feature: ETags and conditional requests
  The ETag of a session changes when the session is modified through the REST
  API. If-None-Match and If-Modified-Since save a download when nothing has
  changed; If-Match and If-Unmodified-Since prevent lost updates.

  Background:
    Given a client "app" is connected to "RW-Split-Router"
    And I send GET "/v1/sessions/{app}"
    And I note the response header "ETag" as "etag"
    And I note the response header "Last-Modified" as "last-modified"

  @etag
  Scenario: The ETag does not change while nobody modifies the session
    When I send GET "/v1/sessions/{app}"
    Then the response header "ETag" is "{etag}"

  @etag @write
  Scenario: The ETag changes when the session is modified through the REST API
    Given I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    When I send GET "/v1/sessions/{app}"
    Then the response header "ETag" is not "{etag}"

  @etag
  Scenario: If-None-Match with the current ETag answers 304 without a body
    Given the next request has the header "If-None-Match" set to "{etag}"
    When I send GET "/v1/sessions/{app}"
    Then the response status is 304
    And the response has no body

  @etag
  Scenario: If-None-Match with another ETag answers 200 with the resource
    Given the next request has the header "If-None-Match" set to ""0000000000000000000000000000000000000000""
    When I send GET "/v1/sessions/{app}?fields[sessions]=user"
    Then the response status is 200
    And the object at "/data/attributes" has exactly the keys "user"
    And the response header "ETag" is present

  @etag @write
  Scenario: If-Match with an out-of-date ETag refuses the update
    Given the next request has the header "If-Match" set to ""0000000000000000000000000000000000000000""
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the response status is 412
    And the session parameter "log_info" of client "app" is false

  @etag @write
  Scenario: If-Match with the ETag of an earlier GET lets the update through
    Given the next request has the header "If-Match" set to "{etag}"
    When I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    Then the response status is 204
    And the session parameter "log_info" of client "app" is true

  Scenario: If-Modified-Since with an older date answers 200 with the resource
    Given the next request has the header "If-Modified-Since" set to "Mon, 01 Jan 1990 00:00:00 GMT"
    When I send GET "/v1/sessions/{app}"
    Then the response status is 200
    And the value at "/data/id" is "{app}"

  @write @slow
  Scenario: If-Modified-Since answers 200 after the session was modified
    # HTTP dates count whole seconds: the change must come in a later second.
    Given the server's clock has passed "{last-modified}"
    And I send PATCH "/v1/sessions/{app}" with:
      """
      {"data": {"attributes": {"parameters": {"log_info": true}}}}
      """
    And the next request has the header "If-Modified-Since" set to "{last-modified}"
    When I send GET "/v1/sessions/{app}"
    Then the response status is 200
    And the value at "/data/attributes/parameters/log_info" is true

  Scenario: If-Modified-Since with the Last-Modified date answers 304 when nothing changed
    Given the next request has the header "If-Modified-Since" set to "{last-modified}"
    When I send GET "/v1/sessions/{app}"
    Then the response status is 304
    And the response has no body

  Scenario: If-Unmodified-Since with an older date refuses the request
    Given the next request has the header "If-Unmodified-Since" set to "Mon, 01 Jan 1990 00:00:00 GMT"
    When I send GET "/v1/sessions/{app}"
    Then the response status is 412
