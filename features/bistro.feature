Feature: Bistro Na Rohu makes up for cold food with a free meal
  An example of a brand's own policy, written with the shipped steps only.

  Background:
    Given the brand "bistro"
    And it is 2026-12-01 12:30
    And a complaint on facebook from "@jana": "Cold soup again, second time this month"
    And the case has reached "investigating"

  Scenario: A founded complaint about cold food earns a coupon for a free meal
    When "eva" records the finding "founded" with root cause "soup waits at the pass"
    And "eva" offers a coupon worth 1 meal
    Then the case is "remedy_offered"

  Scenario: Two free meals are over the limit
    When "eva" records the finding "founded" with root cause "soup waits at the pass"
    And "eva" offers a coupon worth 2 meals
    Then it is refused because "over bistro's limit of one free meal"
    And the case is still "investigating"

  Scenario: Bistro does not give refunds
    When "eva" records the finding "founded" with root cause "soup waits at the pass"
    And "eva" offers a refund worth 10
    Then it is refused because "does not offer a refund"

  Scenario: No remedy for an unfounded complaint
    When "eva" records the finding "unfounded"
    And "eva" offers a coupon worth 1 meal
    Then it is refused because "needs a founded or partly founded one"
