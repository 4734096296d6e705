Feature: Nothing is ever deleted
  Deleting a complaint is as bad as ignoring it, or worse: screenshots exist. Every case keeps
  its whole history; a finished case is closed, never removed.

  Scenario: There is no delete trigger and no delete API
    Given the brand under test
    Then no trigger or state of any flow deletes or hides a complaint
    And the engine has no way to delete a case

  Scenario: Firing "delete" is refused and the case stays as it was
    Given the brand under test
    And a complaint from "@jana": "Worst service ever"
    When "eva" fires "delete"
    Then it is refused because "no trigger 'delete'"
    And the case is still "new"

  Scenario: A flow that declares a delete trigger is refused when it loads
    Given the flow of brand "shady" is written as:
      """
      extends: default
      name: Shady
      flow:
        triggers:
          delete_post:
            from: new
            to: closed
      """
    Then the flows are refused at "shady/flow.yaml:5": "complaints are never deleted"

  Scenario: A closed case keeps every event of its recovery
    Given the brand under test
    And a complaint from "@jana": "Worst service ever"
    And the case has reached "closed"
    Then every event of the case is still in its history
