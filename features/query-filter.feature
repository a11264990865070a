@query @filter
Feature: Filtering the collection
  filter=<JSON pointer>=<expression> and filter[<JSONPath>]=<expression> keep
  only the sessions of the collection for which the expression is true.
  Single sessions are never filtered.

  Background:
    Given clients "a", "b" and "c" are connected to "RW-Split-Router"

  Scenario: A JSON value selects the sessions whose value is equal
    When I send GET "/v1/sessions?filter=/attributes/client/connection_attributes/program_name="{b.program}""
    Then the response status is 200
    And of my clients, the response lists only "b"

  Scenario: A filter that matches no session returns an empty collection
    When I send GET "/v1/sessions?filter=/attributes/user="no-such-user-{a.program}""
    Then the response status is 200
    And the value at "/data" has 0 elements

  Scenario: The documented example selects the sessions of one service
    When I send GET "/v1/sessions?filter=/relationships/services/data/0/id="RW-Split-Router""
    Then the response status is 200
    And of my clients, the response lists only "a", "b" and "c"

  @read-connection-router
  Scenario: The documented example leaves out the sessions of other services
    Given a client "reader" is connected to "Read-Connection-Router"
    When I send GET "/v1/sessions?filter=/relationships/services/data/0/id="Read-Connection-Router""
    Then of my clients, the response lists only "reader"

  Scenario Outline: Filter expressions on a number: <expression>
    When I send GET "/v1/sessions?filter=/attributes/port=<expression>"
    Then the response status is 200
    And of my clients, the response lists only <listed>

    Examples:
      | expression                                | listed          |
      | {b.port}                                  | "b"             |
      | eq({b.port})                              | "b"             |
      | ne({b.port})                              | "a" and "c"     |
      | and(ge({a.port}),le({a.port}))            | "a"             |
      | or(eq({a.port}),eq({c.port}))             | "a" and "c"     |
      | not(eq({a.port}),eq({c.port}))            | "b"             |
      | and(eq({a.port}),eq({c.port}))            | none            |

  Scenario Outline: Filter expressions on a string: <expression>
    When I send GET "/v1/sessions?filter=/attributes/client/connection_attributes/program_name=<expression>"
    Then the response status is 200
    And of my clients, the response lists only <listed>

    Examples:
      | expression                                     | listed           |
      | eq("{a.program}")                              | "a"              |
      | ne("{a.program}")                              | "b" and "c"      |
      | or(eq("{a.program}"),eq("{c.program}"))        | "a" and "c"      |
      | not(eq("{a.program}"))                         | "b" and "c"      |
      | and(ge("{a.program}"),le("{a.program}"))       | "a"              |
      | gt("{a.program}")                              | "b" and "c"      |
      | lt("{c.program}")                              | "a" and "b"      |

  Scenario: The documented range example selects sessions by id
    When I send GET "/v1/sessions?filter=id=and(ge({a}),le({b}))"
    Then the response status is 200
    And of my clients, the response lists only "a" and "b"

  Scenario: The documented list example selects sessions by id
    When I send GET "/v1/sessions?filter=id=or(eq({a}),eq({c}))"
    Then the response status is 200
    And of my clients, the response lists only "a" and "c"

  Scenario: The documented exclusion example leaves sessions out by id
    When I send GET "/v1/sessions?filter=id=not(eq({a}),eq({c}))"
    Then the response status is 200
    And of my clients, the response lists only "b"

  Scenario: A single session is not filtered
    When I send GET "/v1/sessions/{a}?filter=/attributes/user="no-such-user""
    Then the response status is 200
    And the value at "/data/id" is "{a}"

  @jsonpath
  Scenario Outline: filter[<path>] selects by a JSONPath
    When I send GET "/v1/sessions?filter[<path>]=eq("{b.program}")"
    Then the response status is 200
    And of my clients, the response lists only "b"

    Examples:
      | path                                                      |
      | $.attributes.client.connection_attributes.program_name   |
      | attributes.client.connection_attributes.program_name     |
      | $['attributes']['client']['connection_attributes']['program_name'] |
      | $.attributes.client.connection_attributes.*              |

  @jsonpath
  Scenario: filter[] with an array index and a wildcard
    When I send GET "/v1/sessions?filter[relationships.services.data[0].id]=eq("RW-Split-Router")&filter[relationships.services.data[*].type]=eq("services")"
    Then the response status is 200
    And of my clients, the response lists only "a", "b" and "c"

  @jsonpath
  Scenario: Several filter[] parameters must all match
    When I send GET "/v1/sessions?filter[attributes.user]=eq("{sql-user}")&filter[attributes.port]=eq({c.port})"
    Then the response status is 200
    And of my clients, the response lists only "c"

  @jsonpath
  Scenario: A single session is not filtered by filter[]
    When I send GET "/v1/sessions/{a}?filter[attributes.user]=eq("no-such-user")"
    Then the response status is 200
    And the value at "/data/id" is "{a}"

  @negative
  Scenario Outline: A malformed filter expression is rejected: <expression>
    When I send GET "/v1/sessions?filter=/attributes/port=<expression>"
    Then the response status is 400
    And the error detail is "<detail>"

    Examples:
      | expression          | detail                                 |
      | and(ge(1)           | Expected ')', got ''                   |
      | foo(1)              | Not a valid filter expression: foo(1)  |
      | eq("abc)            | Invalid JSON: "abc)                    |
      | or(eq(1), eq(2))    | Not a valid filter expression:  eq(2)) |
      |                     | Empty filter expression                |

  @negative @jsonpath
  Scenario: A malformed expression in filter[] is rejected
    When I send GET "/v1/sessions?filter[attributes.user]=eq(maxuser)"
    Then the response status is 400
    And the error detail is "Invalid JSON: maxuser)"

  @negative
  Scenario: A malformed filter expression is rejected on a single session too
    When I send GET "/v1/sessions/{a}?filter=/attributes/port=foo(1)"
    Then the response status is 400
    And the error detail is "Not a valid filter expression: foo(1)"
