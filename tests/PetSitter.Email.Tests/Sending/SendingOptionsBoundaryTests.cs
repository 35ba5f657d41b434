using Microsoft.Extensions.Options;

namespace PetSitter.Email.Tests.Sending;

/// <summary>
/// Where the sending options meet: a slot is waited for inside one attempt, and one attempt must last at least one SMTP
/// operation. Equal is the edge an operator configures on purpose, so the tests pin which side of it is accepted.
/// </summary>
public sealed class SendingOptionsBoundaryTests
{
    [Fact]
    public void A_slot_wait_as_long_as_the_attempt_timeout_is_refused_and_one_just_shorter_is_accepted()
    {
        var email = new PetSitterEmailOptions();
        email.Retry.AttemptTimeout = TimeSpan.FromSeconds(30);
        var validator = new SlotWaitValidator(Options.Create(email));

        var equal = validator.Validate(null, new SendLimitOptions { MaxThrottleWait = TimeSpan.FromSeconds(30) });
        var shorter = validator.Validate(null, new SendLimitOptions { MaxThrottleWait = TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1) });

        equal.Failed.Should().BeTrue("the slot is waited for inside the attempt, which would time out first");
        equal.FailureMessage.Should().Contain("MaxThrottleWait").And.Contain("AttemptTimeout");
        shorter.Succeeded.Should().BeTrue();
    }

    [Fact]
    public void An_attempt_timeout_as_long_as_one_smtp_operation_is_accepted_and_a_shorter_one_is_refused()
    {
        var equal = new PetSitterEmailOptions();
        equal.Smtp.Timeout = TimeSpan.FromSeconds(20);
        equal.Retry.AttemptTimeout = TimeSpan.FromSeconds(20);
        var shorter = new PetSitterEmailOptions();
        shorter.Smtp.Timeout = TimeSpan.FromSeconds(20);
        shorter.Retry.AttemptTimeout = TimeSpan.FromSeconds(20) - TimeSpan.FromTicks(1);
        var validator = new PetSitterEmailOptionsCustomValidator();

        validator.Validate(null, equal).Succeeded.Should().BeTrue("one attempt may be exactly one operation long");
        var refused = validator.Validate(null, shorter);
        refused.Failed.Should().BeTrue();
        refused.FailureMessage.Should().Contain("AttemptTimeout").And.Contain("Smtp.Timeout");
    }
}
