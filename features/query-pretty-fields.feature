@query
Feature: Output format and sparse fieldsets
  Every JSON response can be pretty-printed or compact (pretty), and can be
  limited to the fields the caller needs (fields[sessions]).

  Background:
    Given a client "app" is connected to "RW-Split-Router"

  @pretty
  Scenario Outline: pretty=<value> gives <format> output
    When I send GET "/v1/sessions/{app}?pretty=<value>"
    Then the response status is 200
    And the response body is <format>
    And the value at "/data/id" is "{app}"

    Examples:
      | value | format   |
      | true  | indented |
      | yes   | indented |
      | false | compact  |
      | off   | compact  |
      | no    | compact  |
      | 0     | compact  |

  @pretty
  Scenario: Output is pretty-printed by default
    When I send GET "/v1/sessions/{app}"
    Then the response body is indented

  @pretty
  Scenario: pretty applies to the collection too
    When I send GET "/v1/sessions?pretty=false"
    Then the response status is 200
    And the response body is compact

  @fields
  Scenario: fields[sessions] returns only the listed attributes
    When I send GET "/v1/sessions/{app}?fields[sessions]=user,state"
    Then the response status is 200
    And the object at "/data/attributes" has exactly the keys "state, user"
    And the value at "/data/attributes/user" is "{sql-user}"
    And the value at "/data/id" is "{app}"
    And the value at "/data/type" is "sessions"
    And the link at "/data/links/self" is "/v1/sessions/{app}/"

  @fields
  Scenario: fields[sessions] takes JSON pointers to nested fields
    When I send GET "/v1/sessions/{app}?fields[sessions]=client/connection_attributes"
    Then the object at "/data/attributes" has exactly the keys "client"
    And the object at "/data/attributes/client" has exactly the keys "connection_attributes"
    And the value at "/data/attributes/client/connection_attributes/program_name" is "{app.program}"

  @fields
  Scenario: fields[sessions] also selects relationships
    When I send GET "/v1/sessions/{app}?fields[sessions]=services"
    Then there is no value at "/data/attributes"
    And the value at "/data/relationships/services/data/0/id" is "RW-Split-Router"

  @fields
  Scenario: fields[sessions] does not go past an array
    When I send GET "/v1/sessions/{app}?fields[sessions]=connections/0/server"
    Then the object at "/data/attributes" has exactly the keys "connections"
    And the value at "/data/attributes/connections/0/connection_id" is an integer

  @fields
  Scenario: fields[sessions] applies to every session of the collection
    Given a client "other" is connected to "RW-Split-Router"
    When I send GET "/v1/sessions?fields[sessions]=state"
    Then the response status is 200
    And every listed session has exactly the attributes "state"
    And of my clients, the response lists only "app" and "other"

  @fields
  Scenario: fields for another resource type leave a session whole
    When I send GET "/v1/sessions/{app}?fields[servers]=state"
    Then the response status is 200
    And the value at "/data/attributes/user" is "{sql-user}"
    And the value at "/data/attributes/state" is "Session started"
