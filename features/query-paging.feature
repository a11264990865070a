@query @paging
Feature: Pagination
  page[size] limits how many sessions a collection returns and page[number]
  skips pages. Without page[size], all sessions are returned.

  Background:
    Given clients "a" and "b" are connected to "RW-Split-Router"

  Scenario: page[size] limits the number of sessions returned
    When I send GET "/v1/sessions?page[size]=1"
    Then the response status is 200
    And the value at "/data" has 1 element
    And the link at "/links/next" leads to page[number]=1 of page[size]=1 of "/v1/sessions/"

  # Other clients may be connected: the filter keeps the pages to this
  # scenario's two sessions. Paging applies to the filtered rows.
  Scenario: The first page is page[number]=0
    When I send GET "/v1/sessions?filter=/attributes/client/connection_attributes/program_name=or(eq("{a.program}"),eq("{b.program}"))&page[size]=1&page[number]=0"
    Then the response status is 200
    And the value at "/data" has 1 element
    And the response lists exactly one of my clients "a" and "b"
    And the link at "/links/next" leads to page[number]=1 of page[size]=1 of "/v1/sessions/"

  Scenario: page[number] skips whole pages
    When I send GET "/v1/sessions?filter=/attributes/client/connection_attributes/program_name=or(eq("{a.program}"),eq("{b.program}"))&page[size]=1&page[number]=1"
    Then the response status is 200
    And the value at "/data" has 1 element
    And the response lists exactly one of my clients "a" and "b"
    And there is no value at "/links/next"

  Scenario: A page past the end is empty
    When I send GET "/v1/sessions?page[size]=1&page[number]=1000000"
    Then the response status is 200
    And the value at "/data" has 0 elements
    And there is no value at "/links/next"

  Scenario Outline: page[size]=<size> is not a positive integer and is ignored
    When I send GET "/v1/sessions?page[size]=<size>"
    Then the response status is 200
    And of my clients, the response lists only "a" and "b"
    And there is no value at "/links/next"

    Examples:
      | size |
      | 0    |
      | -1   |
      | abc  |
      | 1x   |

  Scenario: page[number] without page[size] is ignored
    When I send GET "/v1/sessions?page[number]=1"
    Then the response status is 200
    And of my clients, the response lists only "a" and "b"

  Scenario: Paging has no effect on a single session
    When I send GET "/v1/sessions/{a}?page[size]=1&page[number]=5"
    Then the response status is 200
    And the value at "/data/id" is "{a}"
