@sessions @get
Feature: Get a session
  A session is a client connection. MaxScale shows each one at /v1/sessions/:id,
  where :id is the connection ID the client received when it connected.

  In these scenarios real SQL clients connect through MaxScale's listeners.
  "{app}" stands for the connection ID that client "app" received in the
  server's handshake, "{app.port}" for its local TCP port and "{app.program}"
  for the unique program_name connection attribute it sent.

  Background:
    Given a client "app" is connected to "RW-Split-Router"

  Scenario: The session ID is the connection ID the client received
    When I send GET "/v1/sessions/{app}"
    Then the response status is 200
    And the value at "/data/id" is "{app}"
    And the value at "/data/type" is "sessions"
    And the value at "/data/attributes/client/connection_attributes/program_name" is "{app.program}"
    And the value at "/data/attributes/port" is {app.port}

  Scenario: A session shows who is connected, from where and since when
    When I send GET "/v1/sessions/{app}"
    Then the response status is 200
    And the value at "/data/attributes/user" is "{sql-user}"
    And the value at "/data/attributes/remote" is "{app.host}"
    And the value at "/data/attributes/state" is "Session started"
    And the value at "/data/attributes/connected" is the time client "app" connected
    And the value at "/data/attributes/seconds_alive" is at most the seconds since client "app" connected
    And the value at "/data/attributes/idle" is at most the seconds since client "app" connected
    And the value at "/data/attributes/io_activity" is an integer
    And the value at "/data/attributes/thread" is one of MaxScale's threads
    # The client has sent no statement yet, so none is retained or logged.
    And the value at "/data/attributes/queries" is []
    And the value at "/data/attributes/log" is []

  Scenario: A session shows the client's connection attributes
    When I send GET "/v1/sessions/{app}"
    Then the value at "/data/attributes/client/cipher" is ""
    And the value at "/data/attributes/client/connection_attributes" is the connection attributes client "app" sent
    And the value at "/data/attributes/client/connection_attributes/program_name" is "{app.program}"

  Scenario: A readwritesplit session shows its session command history
    When I send GET "/v1/sessions/{app}"
    Then the value at "/data/attributes/client/sescmd_history_len" is an integer
    And the value at "/data/attributes/client/sescmd_history_stored_metadata" is an integer
    And the value at "/data/attributes/client/sescmd_history_stored_responses" is an integer

  Scenario: A session lists its backend connections
    When I send GET "/v1/sessions/{app}"
    Then the value at "/data/attributes/connections" has at least 1 element
    And the value at "/data/attributes/connections/0/connection_id" is an integer
    And the value at "/data/attributes/connections/0/server" is a server of service "RW-Split-Router"
    And the value at "/data/attributes/connections/0/cipher" is ""

  Scenario: A session shows its memory use, and the totals add up
    When I send GET "/v1/sessions/{app}"
    Then the value at "/data/attributes/memory/total" is an integer
    And the value at "/data/attributes/memory/connection_buffers/client/total" is an integer
    And the value at "/data/attributes/memory/connection_buffers/backends" is an object
    And the memory totals of the session add up

  Scenario Outline: A session shows whether each log level is enabled: <parameter>
    When I send GET "/v1/sessions/{app}"
    Then the value at "/data/attributes/parameters/<parameter>" is false

    Examples:
      | parameter   |
      | log_debug   |
      | log_info    |
      | log_notice  |
      | log_warning |
      | log_error   |

  Scenario: A session links to itself and to the service it was created on
    When I send GET "/v1/sessions/{app}"
    Then the link at "/links/self" is "/v1/sessions/{app}/"
    And the link at "/data/links/self" is "/v1/sessions/{app}/"
    And the value at "/data/relationships/services/data" has 1 element
    And the value at "/data/relationships/services/data/0/id" is "RW-Split-Router"
    And the value at "/data/relationships/services/data/0/type" is "services"
    And the link at "/data/relationships/services/links/self" is "/v1/sessions/{app}/relationships/services/"
    And the link at "/data/relationships/services/links/related" is "/v1/services/"

  @read-connection-router
  Scenario: Each session is created on the service whose listener the client used
    Given a client "reader" is connected to "Read-Connection-Router"
    When I send GET "/v1/sessions/{reader}"
    Then the response status is 200
    And the value at "/data/relationships/services/data/0/id" is "Read-Connection-Router"

  Scenario: rdns=true asks MaxScale to resolve the client's address
    When I send GET "/v1/sessions/{app}?rdns=true"
    Then the response status is 200
    And the value at "/data/id" is "{app}"
    And the value at "/data/attributes/remote" is the name the system resolver gives the address of client "app"
    When I send GET "/v1/sessions/{app}?rdns=false"
    Then the value at "/data/attributes/remote" is "{app.host}"

  Scenario: The session is the same with or without a trailing slash
    When I send GET "/v1/sessions/{app}/"
    Then the response status is 200
    And the value at "/data/id" is "{app}"
