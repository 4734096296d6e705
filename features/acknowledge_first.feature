Feature: Acknowledge in public before moving private
  The customer chose a public channel. We recognise the problem in the same thread before we
  ask them into direct messages or onto the phone.

  Scenario: Nobody moves a complaint private before acknowledging it publicly
    Given the brand under test
    And a complaint from "@jana": "My order is a week late and nobody answers"
    Then "move_private" may not fire now, because "only from"
    When "eva" fires "move_private"
    Then it is refused because "not allowed from state 'new'"
    And the case is still "new"

  Scenario: After the public acknowledgement the talk can move private or to the phone
    Given the brand under test
    And a complaint from "@jana": "My order is a week late and nobody answers"
    When "eva" fires "acknowledge"
    Then "move_private" may fire now
    And "call" may fire now

  Scenario: A flow that lets a case go private early is still held back by the guard
    Given the flow of brand "hasty" is written as:
      """
      extends: default
      name: Hasty Ltd
      flow:
        triggers:
          move_private:
            from: [new, acknowledged, investigating, phone]
            to: private
            guards: [acknowledged_publicly]
      """
    And the brand "hasty"
    And a complaint from "@jana": "Where is my parcel?"
    When "eva" fires "move_private"
    Then it is refused because "not been acknowledged publicly"
    And the case is still "new"
