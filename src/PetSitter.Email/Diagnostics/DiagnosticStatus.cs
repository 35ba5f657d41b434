namespace PetSitter.Email;

/// <summary>The answer a diagnosis gives to one question.</summary>
public enum DiagnosticStatus
{
    /// <summary>The question could not be answered: an earlier step failed, or it needs something not given (a user name, a test recipient).</summary>
    NotChecked = 0,

    /// <summary>Checked, and nothing is wrong.</summary>
    Pass = 1,

    /// <summary>Mail can go out, but something needs the owner's attention (an upcoming provider change, a recorded failure, an unencrypted connection).</summary>
    Warning = 2,

    /// <summary>Checked, and mail cannot go out through this account until the owner acts (or a limit resets).</summary>
    Fail = 3,
}
